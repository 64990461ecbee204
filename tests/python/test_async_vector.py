"""The asynchronous vector env (SPEC.md §3.4) against real servers: ``async_reset``/``send``/``recv``, whatever the order
in which sub-envs finish (the delayed server steps them after random waits), and what is refused or lost on the way."""

from __future__ import annotations

import time

import numpy as np
import pytest

import zerogym

SEED = 100
NUM_ENVS = 8
EPISODE_STEPS = 9  # short episodes: truncations and next-step autoresets happen many times in every run


def reference_results(address: str, sub_env: int, actions: list[int], count: int) -> list[tuple]:
    """The first ``count`` results of a single env seeded ``SEED + sub_env`` given ``actions``, its reset first, with
    next-step autoreset: the step after an episode's end ignores its action and returns the reset observation."""
    with zerogym.make("CartPole-v1", address=address, max_episode_steps=EPISODE_STEPS) as env:
        obs, _ = env.reset(seed=SEED + sub_env)
        results, ended = [(obs, 0.0, False, False)], False
        for action in actions[:count - 1]:
            if ended:
                obs, _ = env.reset()
                results.append((obs, 0.0, False, False))
                ended = False
            else:
                obs, reward, terminated, truncated, _ = env.step(action)
                results.append((obs, reward, terminated, truncated))
                ended = terminated or truncated
    return results


def assert_same_results(received: list[tuple], expected: list[tuple], sub_env: int) -> None:
    assert len(received) == len(expected), sub_env
    for t, ((obs, reward, terminated, truncated), (want_obs, want_reward, want_terminated, want_truncated)) in \
            enumerate(zip(received, expected)):
        np.testing.assert_array_equal(obs, want_obs, err_msg=f"sub-env {sub_env}, result {t}")
        assert (reward, terminated, truncated) == (want_reward, want_terminated, want_truncated), (sub_env, t)


def drive_at_random(envs, rng: np.random.Generator, batches: int, held_back: set[int]):
    """``batches`` recvs, each followed by a send to a random subset of the idle sub-envs (never to ``held_back``
    after their reset), sometimes as ``env_id=None`` or the very ``infos["env_id"]`` array. Returns each sub-env's
    results in the order received and the actions it was sent."""
    results: dict[int, list[tuple]] = {i: [] for i in range(envs.num_envs)}
    actions: dict[int, list[int]] = {i: [] for i in range(envs.num_envs)}
    envs.async_reset(seed=SEED)
    idle: set[int] = set()
    in_flight = envs.num_envs
    for _ in range(batches):
        obs, rewards, terminations, truncations, infos = envs.recv()
        env_id = infos["env_id"]
        assert env_id.dtype == np.int64 and len(env_id) == envs.batch_size
        assert len(set(env_id.tolist())) == len(env_id), f"a batch holds a sub-env twice: {env_id}"
        assert obs.shape == (envs.batch_size, 4) and rewards.shape == terminations.shape == (envs.batch_size,)
        for k, sub_env in enumerate(env_id.tolist()):
            assert sub_env not in idle, f"sub-env {sub_env} came back without being sent to"
            results[sub_env].append((obs[k].copy(), rewards[k], terminations[k], truncations[k]))
        idle |= set(env_id.tolist())
        in_flight -= envs.batch_size

        shape = rng.integers(3)
        if shape < 2 and not held_back & set(env_id.tolist()):
            chosen = env_id.tolist()
            sent_to = None if shape == 0 else env_id
        else:
            candidates = sorted(idle - held_back)
            fewest = max(1, envs.batch_size - in_flight)  # the next recv needs a batch in flight
            if len(candidates) < fewest:
                continue  # only held-back sub-envs are idle, and enough others are in flight
            rng.shuffle(candidates)
            chosen = candidates[:int(rng.integers(fewest, len(candidates) + 1))]
            sent_to = np.array(chosen)
        batch_actions = rng.integers(0, 2, len(chosen))
        envs.send(batch_actions, sent_to)
        for sub_env, action in zip(chosen, batch_actions.tolist()):
            actions[sub_env].append(action)
        idle -= set(chosen)
        in_flight += len(chosen)
    return results, actions


@pytest.mark.parametrize("batch_size", [1, 3, 4, NUM_ENVS])
def test_each_sub_env_gives_a_single_envs_results_whatever_the_order(delayed_server, address, batch_size) -> None:
    rng = np.random.default_rng(batch_size)
    held_back = {5} if batch_size < NUM_ENVS else set()
    with zerogym.make_vec("CartPole-v1", NUM_ENVS, batch_size=batch_size, address=delayed_server.address,
                          max_episode_steps=EPISODE_STEPS) as envs:
        assert envs.batch_size == batch_size
        results, actions = drive_at_random(envs, rng, batches=240 // batch_size, held_back=held_back)
    for sub_env in range(NUM_ENVS):
        if sub_env in held_back:
            assert len(results[sub_env]) == 1, "a sub-env never sent to after its reset came back"
        else:
            assert len(results[sub_env]) > EPISODE_STEPS, "each sub-env must run past an autoreset"
        expected = reference_results(address, sub_env, actions[sub_env], len(results[sub_env]))
        assert_same_results(results[sub_env], expected, sub_env)


def test_the_delayed_server_returns_results_out_of_the_order_they_were_sent(delayed_server) -> None:
    """What the tests here rely on: once the server steps the delayed sub-envs over the cores (after the first few
    sends), a batch comes back in the order its sub-envs finished, not the order they were sent in."""
    with zerogym.make_vec("CartPole-v1", NUM_ENVS, batch_size=4, address=delayed_server.address) as envs:
        envs.async_reset(seed=SEED)
        # On a busy machine the server's helper threads often start late and the sub-envs finish in order: look long.
        for _ in range(2000):
            env_id = envs.recv()[4]["env_id"]
            if env_id.tolist() != sorted(env_id.tolist()):
                return
            envs.send(np.zeros(4, np.int64), np.sort(env_id))
    pytest.fail("2000 batches came back in the order their sub-envs were sent")


def test_step_with_env_id_is_send_then_recv(delayed_server, address) -> None:
    with zerogym.make_vec("CartPole-v1", 4, batch_size=2, address=delayed_server.address) as envs:
        obs, _ = envs.reset(seed=SEED)
        obs, rewards, _, _, infos = envs.step(np.array([1, 1]), env_id=np.array([3, 1]))
        assert sorted(infos["env_id"].tolist()) == [1, 3]
        for k, sub_env in enumerate(infos["env_id"].tolist()):
            expected = reference_results(address, sub_env, [1], 2)[1]
            assert_same_results([(obs[k], rewards[k], False, False)], [expected], sub_env)


def test_a_full_batch_step_while_nothing_is_in_flight_is_the_synchronous_step(address) -> None:
    with zerogym.make_vec("CartPole-v1", 4, batch_size=4, address=address) as envs:
        envs.reset(seed=SEED)
        sent_before = envs._connection.last_request_id
        obs, *_, infos = envs.step(np.array([0, 1, 0, 1]))
        assert envs._connection.last_request_id == sent_before + 1  # one step request, no send and recv
        assert "env_id" not in infos
        for sub_env in range(4):
            np.testing.assert_array_equal(obs[sub_env], reference_results(address, sub_env, [sub_env % 2], 2)[1][0])


def test_sending_to_an_in_flight_sub_env_is_refused_and_changes_nothing(delayed_server, address) -> None:
    with zerogym.make_vec("CartPole-v1", 4, batch_size=2, address=delayed_server.address) as envs:
        envs.async_reset(seed=SEED)
        infos = envs.recv()[4]
        busy = next(sub_env for sub_env in range(4) if sub_env not in infos["env_id"])
        sent_before = envs._connection.last_request_id
        with pytest.raises(zerogym.InvalidArgumentError, match=f"sub-env {busy} .* is in flight"):
            envs.send(np.zeros(1, np.int64), np.array([busy]))
        with pytest.raises(zerogym.InvalidArgumentError, match="sub-env 4 .* is not a sub-env"):
            envs.send(np.zeros(1, np.int64), [4])
        with pytest.raises(zerogym.InvalidArgumentError, match="sub-env -1 .* is not a sub-env"):
            envs.send(np.zeros(1, np.int64), [-1])
        first = int(infos["env_id"][0])
        with pytest.raises(zerogym.InvalidArgumentError, match=f"sub-env {first} .* is listed twice"):
            envs.send(np.zeros(2, np.int64), [first, first])
        with pytest.raises(zerogym.InvalidArgumentError, match="lists no sub-env"):
            envs.send(np.zeros(0, np.int64), [])
        with pytest.raises(zerogym.InvalidActionError, match=r"one action per sub-env of env_id \(2\); got 3"):
            envs.send(np.zeros(3, np.int64), infos["env_id"])
        assert envs._connection.last_request_id == sent_before, "a refused send must send nothing"

        # Nothing changed: the two other reset results and the two steps come next.
        first = infos["env_id"].tolist()
        envs.send(np.zeros(2, np.int64), infos["env_id"])
        sent_before = envs._connection.last_request_id
        for again in (infos["env_id"], None, infos["env_id"][::-1].copy()):
            with pytest.raises(zerogym.InvalidArgumentError, match=f"sub-env {first[0]}|{first[1]} .* is in flight"):
                envs.send(np.zeros(2, np.int64), again)
        assert envs._connection.last_request_id == sent_before
        received = {}
        for _ in range(2):
            obs, rewards, terminations, truncations, batch_infos = envs.recv()
            for k, sub_env in enumerate(batch_infos["env_id"].tolist()):
                received[sub_env] = (obs[k].copy(), rewards[k], terminations[k], truncations[k])
        assert sorted(received) == [0, 1, 2, 3]
        for sub_env, result in received.items():
            expected = reference_results(address, sub_env, [0], 2)[1 if sub_env in first else 0]
            assert_same_results([result], [expected], sub_env)


def test_recv_finds_its_reply_waiting_because_a_recv_rides_on_each_send(address) -> None:
    with zerogym.make_vec("CartPole-v1", 4, batch_size=2, address=address) as envs:
        envs.async_reset(seed=SEED)
        for _ in range(3):
            # A reply arrives before recv() is called: it was asked for already.
            assert envs._connection._socket.poll(10_000), "no reply came before recv() asked for one"
            infos = envs.recv(timeout=0)[4]
            envs.send(np.zeros(2, np.int64), infos["env_id"])


def test_recv_needs_a_batch_in_flight(address) -> None:
    with zerogym.make_vec("CartPole-v1", 4, batch_size=3, address=address) as envs:
        envs.reset(seed=0)
        envs.send(np.zeros(2, np.int64), [0, 1])
        with pytest.raises(zerogym.InvalidArgumentError, match=r"batch_size \(3\) sub-envs, but only 2"):
            envs.recv()
        envs.send(np.zeros(1, np.int64), [2])
        assert sorted(envs.recv()[4]["env_id"].tolist()) == [0, 1, 2]


def test_send_without_env_id_after_async_reset_needs_a_recv_first(address) -> None:
    with zerogym.make_vec("CartPole-v1", 4, batch_size=2, address=address) as envs:
        envs.async_reset(seed=0)
        with pytest.raises(zerogym.InvalidArgumentError, match="recv\\(\\) first"):
            envs.send(np.zeros(2, np.int64))


def test_recv_past_its_timeout_names_the_server_and_a_later_recv_gets_the_batch(delayed_server, address) -> None:
    with zerogym.make_vec("CartPole-v1", 16, address=delayed_server.address) as envs:
        with delayed_server.paused():
            envs.async_reset(seed=SEED)
            with pytest.raises(zerogym.ServerTimeoutError) as timed_out:
                envs.recv(timeout=0.05)  # the server is stopped: the resets cannot be back
        assert delayed_server.address in str(timed_out.value) and "'recv'" in str(timed_out.value)
        assert timed_out.value.pending
        obs, rewards, _, _, infos = envs.recv()
        assert sorted(infos["env_id"].tolist()) == list(range(16))
        for k, sub_env in enumerate(infos["env_id"].tolist()):
            np.testing.assert_array_equal(obs[k], reference_results(address, sub_env, [], 1)[0][0])
        assert not rewards.any()


def test_an_invalid_action_of_one_sub_env_is_its_error_and_the_others_results_are_kept(delayed_server, address) -> None:
    with zerogym.make_vec("CartPole-v1", 4, address=delayed_server.address) as envs:
        envs.async_reset(seed=SEED)
        envs.recv()
        envs.send(np.array([1, 0, 5, 1]), np.array([0, 1, 2, 3]))
        with pytest.raises(zerogym.SubEnvError) as failed:
            envs.recv()
        assert list(failed.value.errors) == [2]
        assert isinstance(failed.value.errors[2], zerogym.InvalidActionError)
        assert "sub-env 2" in str(failed.value)
        obs, rewards, terminations, truncations, infos = failed.value.results
        assert sorted(infos["env_id"].tolist()) == [0, 1, 3] and obs.shape == (3, 4)
        for k, sub_env in enumerate(infos["env_id"].tolist()):
            expected = reference_results(address, sub_env, [[1, 0, None, 1][sub_env]], 2)[1]
            assert_same_results([(obs[k], rewards[k], terminations[k], truncations[k])], [expected], sub_env)

        # Sub-env 2 is idle and unchanged: its first valid action gives a single env's first step.
        obs, *_, infos = envs.step(np.array([1, 1, 0, 1]), env_id=np.array([0, 1, 2, 3]))
        k = infos["env_id"].tolist().index(2)
        np.testing.assert_array_equal(obs[k], reference_results(address, 2, [0], 2)[1][0])


def test_a_failed_sub_env_takes_no_action_until_a_reset_makes_it_anew(address) -> None:
    diverging = {"qvel": np.full(9, 1e11)}  # every sub-env's simulation blows up on its first step
    with zerogym.make_vec("HalfCheetah-v5", 2, address=address) as envs:
        envs.async_reset(seed=0, options=diverging)
        envs.recv()
        envs.send(np.zeros((2, 6), np.float32))
        with pytest.raises(zerogym.SubEnvError) as failed:
            envs.recv()
        assert sorted(failed.value.errors) == [0, 1]
        assert all(isinstance(error, zerogym.EnvFailureError) for error in failed.value.errors.values())
        assert failed.value.results[0].shape == (0, 17) and len(failed.value.results[4]["env_id"]) == 0
        with pytest.raises(zerogym.InvalidArgumentError, match="sub-env 1 .* failed; reset"):
            envs.send(np.zeros((1, 6), np.float32), [1])
        obs, _ = envs.reset(seed=0)
        assert obs.shape == (2, 17)
        assert np.isfinite(envs.step(np.zeros((2, 6), np.float32))[0]).all()


def test_reset_with_work_in_flight_drops_it(delayed_server, address) -> None:
    with zerogym.make_vec("CartPole-v1", 8, batch_size=2, address=delayed_server.address) as envs:
        envs.async_reset(seed=0)
        infos = envs.recv()[4]
        envs.send(np.ones(2, np.int64), infos["env_id"])  # 8 in flight, several recvs posted
        obs, _ = envs.reset(seed=SEED)
        for sub_env in range(8):
            np.testing.assert_array_equal(obs[sub_env], reference_results(address, sub_env, [], 1)[0][0])
        obs, *_, infos = envs.step(np.ones(8, np.int64))  # send to all, recv the first 2
        for k, sub_env in enumerate(infos["env_id"].tolist()):
            np.testing.assert_array_equal(obs[k], reference_results(address, sub_env, [1], 2)[1][0])


def test_async_reset_with_work_in_flight_drops_it(delayed_server, address) -> None:
    with zerogym.make_vec("CartPole-v1", 8, batch_size=4, address=delayed_server.address) as envs:
        envs.async_reset(seed=0)
        infos = envs.recv()[4]
        envs.send(np.ones(4, np.int64), infos["env_id"])
        envs.async_reset(seed=SEED)
        for _ in range(2):
            obs, rewards, _, _, infos = envs.recv()
            assert not rewards.any(), "a result from before async_reset came back"
            for k, sub_env in enumerate(infos["env_id"].tolist()):
                np.testing.assert_array_equal(obs[k], reference_results(address, sub_env, [], 1)[0][0])


def test_close_with_work_in_flight(delayed_server) -> None:
    envs = zerogym.make_vec("CartPole-v1", 8, batch_size=2, address=delayed_server.address)
    envs.async_reset(seed=0)
    infos = envs.recv()[4]
    envs.send(np.ones(2, np.int64), infos["env_id"])
    envs.close()  # the replies still due come first: close reads them, then its own
    assert envs.closed
    handle = envs._remote.handle
    assert delayed_server.wait_for_log("event=env_closed", f"handle={handle} ", "reason=requested", timeout=10)


def test_render_with_work_in_flight_keeps_the_results(delayed_server, address) -> None:
    with zerogym.make_vec("CartPole-v1", 4, batch_size=2, address=delayed_server.address,
                          render_mode="rgb_array") as envs:
        envs.async_reset(seed=SEED)
        frames = envs.render()
        assert len(frames) == 4
        env_ids = []
        for _ in range(2):
            obs, _, _, _, infos = envs.recv()
            env_ids += infos["env_id"].tolist()
            for k, sub_env in enumerate(infos["env_id"].tolist()):
                np.testing.assert_array_equal(obs[k], reference_results(address, sub_env, [], 1)[0][0])
        assert sorted(env_ids) == [0, 1, 2, 3]


@pytest.mark.parametrize("batch_size", [2, 4])
def test_step_async_and_step_wait_run_asyncvectorenv_code(delayed_server, address, batch_size) -> None:
    with zerogym.make_vec("CartPole-v1", 4, batch_size=batch_size, address=delayed_server.address) as envs:
        envs.reset(seed=SEED)
        envs.step_async(np.array([1, 0, 1, 0]))
        obs, rewards, terminations, truncations, infos = envs.step_wait()
        if batch_size == 4:
            assert "env_id" not in infos  # the synchronous step: arrays in sub-env order
            order = list(range(4))
        else:
            order = infos["env_id"].tolist()
        assert len(order) == batch_size
        for k, sub_env in enumerate(order):
            np.testing.assert_array_equal(obs[k], reference_results(address, sub_env, [[1, 0, 1, 0][sub_env]], 2)[1][0])


def test_step_wait_waits_past_its_timeout_for_the_same_step(delayed_server) -> None:
    with zerogym.make_vec("CartPole-v1", 16, address=delayed_server.address) as envs:
        envs.reset(seed=SEED)
        with delayed_server.paused():
            envs.step_async(np.ones(16, np.int64))
            with pytest.raises(zerogym.ServerTimeoutError):
                envs.step_wait(timeout=0.05)
        assert envs.step_wait()[1].tolist() == [1.0] * 16


@pytest.mark.parametrize("batch_size", [0, NUM_ENVS + 1, 2.0, True])
def test_batch_size_must_be_between_1_and_num_envs(address, batch_size) -> None:
    with pytest.raises(zerogym.InvalidArgumentError, match=f"batch_size must be an int between 1 and num_envs "
                                                           f"\\({NUM_ENVS}\\); got {batch_size!r}"):
        zerogym.make_vec("CartPole-v1", NUM_ENVS, batch_size=batch_size, address=address)


def test_batch_size_defaults_to_num_envs(address) -> None:
    with zerogym.make_vec("CartPole-v1", 3, address=address) as envs:
        assert envs.batch_size == 3


def test_async_calls_need_the_servers_async_vector_capability(address) -> None:
    with zerogym.make_vec("CartPole-v1", 2, address=address) as envs:
        envs._connection.server["capabilities"] = ["vector"]  # as an older server would say
        with pytest.raises(zerogym.ZeroGymError, match="async_reset\\(\\) needs the server capability 'async_vector'"):
            envs.async_reset(seed=0)
        envs.reset(seed=0)
        envs.step(np.zeros(2, np.int64))  # the synchronous calls need nothing new


def test_a_send_to_an_env_the_server_dropped_fails_clearly_at_recv_and_reset_makes_it_again(short_idle_server) -> None:
    with zerogym.make_vec("CartPole-v1", 4, batch_size=2, address=short_idle_server.address) as envs:
        envs.async_reset(seed=SEED)
        first = envs.recv()[4]["env_id"]
        second = envs.recv()[4]["env_id"]
        time.sleep(2.5)  # the server closes the envs of a connection silent for 1 s
        envs.send(np.zeros(2, np.int64), first)
        envs.send(np.zeros(2, np.int64), second)
        with pytest.raises(zerogym.UnknownHandleError, match="is gone from the server .* Call reset\\(\\)"):
            envs.recv()
        obs, _ = envs.reset(seed=SEED)
        assert obs.shape == (4, 4)
        envs.send(np.zeros(4, np.int64))
        assert len(envs.recv()[4]["env_id"]) == 2


def test_recv_with_min_batch_returns_what_is_ready_from_it_to_batch_size_each_sub_env_its_own(delayed_server,
                                                                                                 address) -> None:
    """Protocol 1.3: ``recv(min_batch=m)`` is answered once m sub-envs finished, with every finished one up to
    ``batch_size``; each sub-env's results stay those of a single env."""
    rng = np.random.default_rng(7)
    results: dict[int, list[tuple]] = {i: [] for i in range(6)}
    actions: dict[int, list[int]] = {i: [] for i in range(6)}
    sizes = []
    with zerogym.make_vec("CartPole-v1", 6, batch_size=4, address=delayed_server.address,
                          max_episode_steps=EPISODE_STEPS) as envs:
        for bad in (0, 5, 1.5):
            with pytest.raises(zerogym.InvalidArgumentError, match="min_batch"):
                envs.recv(min_batch=bad)
        envs.async_reset(seed=SEED)
        idle: set[int] = set()
        for _ in range(80):
            obs, rewards, terminations, truncations, infos = envs.recv(min_batch=1)
            env_id = infos["env_id"].tolist()
            sizes.append(len(env_id))
            assert 1 <= len(env_id) <= 4 and len(set(env_id)) == len(env_id) and not idle & set(env_id)
            for k, sub_env in enumerate(env_id):
                results[sub_env].append((obs[k].copy(), rewards[k], terminations[k], truncations[k]))
            idle |= set(env_id)
            chosen = sorted(idle)[:int(rng.integers(1, len(idle) + 1))]
            batch_actions = rng.integers(0, 2, len(chosen))
            envs.send(batch_actions, np.array(chosen))
            for sub_env, action in zip(chosen, batch_actions.tolist()):
                actions[sub_env].append(action)
            idle -= set(chosen)
    assert min(sizes) < 4, "sends of fewer than batch_size sub-envs must come back as smaller batches"
    for sub_env in range(6):
        expected = reference_results(address, sub_env, actions[sub_env], len(results[sub_env]))
        assert_same_results(results[sub_env], expected, sub_env)


def test_recv_with_min_batch_needs_the_servers_capability(address) -> None:
    with zerogym.make_vec("CartPole-v1", 4, batch_size=2, address=address) as envs:
        envs.async_reset(seed=SEED)
        envs._connection.server["capabilities"] = ["vector", "async_vector"]  # as a 1.2 server would say
        with pytest.raises(zerogym.ZeroGymError, match="recv_min_batch"):
            envs.recv(min_batch=1)
        assert len(envs.recv()[4]["env_id"]) == 2  # nothing changed: the batch of the async_reset is still due
