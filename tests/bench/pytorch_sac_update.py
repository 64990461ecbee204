#!/usr/bin/python3
# The PyTorch twin of `ZeroGym.Bench sac-update`: one update of CleanRL's sac_continuous_action.py (defaults: batch 256,
# 256-256 networks, policy_frequency 2 with its compensating loop, target_network_frequency 1, autotuned alpha) on
# HalfCheetah's sizes (17 observations, 6 actions in [-1, 1]), on Debian's python3-torch (the libtorch the shim links).
# Usage: /usr/bin/python3 THIS_FILE THREADS [UPDATES]   (prints the mean wall and CPU time of one update; 300 updates)
import copy, sys, time
import torch, torch.nn as nn, torch.nn.functional as F

torch.set_num_threads(int(sys.argv[1]))
OBS, ACT, B = 17, 6, 256
LOG_STD_MIN, LOG_STD_MAX = -5, 2


def mlp(i, o):
    return nn.Sequential(nn.Linear(i, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, o))


class Actor(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(OBS, 256), nn.Linear(256, 256)
        self.fc_mean, self.fc_logstd = nn.Linear(256, ACT), nn.Linear(256, ACT)

    def get_action(self, x):
        x = F.relu(self.fc2(F.relu(self.fc1(x))))
        mean, log_std = self.fc_mean(x), torch.tanh(self.fc_logstd(x))
        log_std = LOG_STD_MIN + 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (log_std + 1)
        normal = torch.distributions.Normal(mean, log_std.exp())
        x_t = normal.rsample()
        y_t = torch.tanh(x_t)
        log_prob = normal.log_prob(x_t) - torch.log(1.0 * (1 - y_t.pow(2)) + 1e-6)
        return y_t, log_prob.sum(1, keepdim=True)


actor, q1, q2 = Actor(), mlp(OBS + ACT, 1), mlp(OBS + ACT, 1)
q1t, q2t = copy.deepcopy(q1), copy.deepcopy(q2)
qo = torch.optim.Adam(list(q1.parameters()) + list(q2.parameters()), lr=1e-3)
ao = torch.optim.Adam(actor.parameters(), lr=3e-4)
log_alpha = torch.zeros(1, requires_grad=True)
alpha = log_alpha.exp().item()
alo = torch.optim.Adam([log_alpha], lr=1e-3)
target_entropy = -ACT
s = torch.rand(B, OBS); a = torch.rand(B, ACT) * 2 - 1; r = torch.rand(B); s2 = torch.rand(B, OBS); d = torch.zeros(B)
step = 0


def update():
    global step, alpha
    step += 1
    with torch.no_grad():
        na, nlp = actor.get_action(s2)
        x = torch.cat([s2, na], 1)
        y = r + 0.99 * (1 - d) * (torch.min(q1t(x), q2t(x)) - alpha * nlp).view(-1)
    x = torch.cat([s, a], 1)
    loss = F.mse_loss(q1(x).view(-1), y) + F.mse_loss(q2(x).view(-1), y)
    qo.zero_grad(); loss.backward(); qo.step()
    if step % 2 == 0:
        for _ in range(2):
            pi, lp = actor.get_action(s)
            xp = torch.cat([s, pi], 1)
            actor_loss = (alpha * lp - torch.min(q1(xp), q2(xp))).mean()
            ao.zero_grad(); actor_loss.backward(); ao.step()
            with torch.no_grad():
                _, lp = actor.get_action(s)
            alpha_loss = (-log_alpha.exp() * (lp + target_entropy)).mean()
            alo.zero_grad(); alpha_loss.backward(); alo.step()
            alpha = log_alpha.exp().item()
    with torch.no_grad():
        for net, t in ((q1, q1t), (q2, q2t)):
            for p, pt in zip(net.parameters(), t.parameters()):
                pt.data.copy_(0.005 * p.data + 0.995 * pt.data)


for _ in range(20): update()
n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
t, cpu = time.perf_counter(), time.process_time()
for _ in range(n): update()
print(f"pytorch threads={sys.argv[1]} sac update: {(time.perf_counter() - t) / n * 1000:.2f} ms, "
      f"CPU {(time.process_time() - cpu) / n * 1000:.2f} ms")
