using System.Runtime.InteropServices;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.MuJoCo.HalfCheetah;

/// <summary>
/// HalfCheetah-v5, as Gymnasium's <c>gymnasium.envs.mujoco.half_cheetah_v5.HalfCheetahEnv</c> defines it, simulated
/// by the installed MuJoCo (2.2.2 on Debian 12; Gymnasium's v5 asks for 2.3.3 or later, whose contact solver
/// differs in the last digits, so trajectories agree with Gymnasium's closely but not bit for bit).
/// </summary>
/// <remarks>
/// <para><b>Description.</b> The planar cheetah of Wawrzyński, "A Cat-Like Robot Real-Time Learning to Run" (2009):
/// a torso with a head and two legs (thigh, shin, foot each), moving in the vertical x-z plane. The torso slides and
/// turns freely; the six leg joints are driven by motors. The task is to run forward (towards +x) as fast as possible.
/// The model is MuJoCo/Models/half_cheetah.xml, the parameters of Gymnasium's half_cheetah.xml: timestep 0.01 s,
/// and every env step holds the action for <c>frame_skip</c> = 5 physics steps, so dt = 0.05 s.</para>
/// <para><b>Action Space.</b> <c>Box(-1, 1, (6,), float32)</c>: the torque of each motor as a fraction of its gear
/// (N m). Gymnasium writes the action to MuJoCo's <c>ctrl</c> without clipping (the server only accepts actions
/// inside the box; in-process callers may pass others, which MuJoCo clamps to the control range).</para>
/// <list type="table">
///   <listheader><term>Index</term><description>Torque applied on (gear)</description></listheader>
///   <item><term>0</term><description>back thigh rotor, bthigh (120)</description></item>
///   <item><term>1</term><description>back shin rotor, bshin (90)</description></item>
///   <item><term>2</term><description>back foot rotor, bfoot (60)</description></item>
///   <item><term>3</term><description>front thigh rotor, fthigh (120)</description></item>
///   <item><term>4</term><description>front shin rotor, fshin (60)</description></item>
///   <item><term>5</term><description>front foot rotor, ffoot (30)</description></item>
/// </list>
/// <para><b>Observation Space.</b> <c>Box(-inf, inf, (17,), float64)</c>: <c>qpos[1:]</c> followed by <c>qvel</c>.
/// The torso's x position is left out so that a policy cannot depend on how far it has run; with
/// <c>exclude_current_positions_from_observation=false</c> it is element 0 and the shape is (18,).</para>
/// <list type="table">
///   <listheader><term>Index</term><description>Observation (unit)</description></listheader>
///   <item><term>0</term><description>z of the torso, rootz (m)</description></item>
///   <item><term>1</term><description>angle of the torso, rooty (rad)</description></item>
///   <item><term>2-4</term><description>angles of bthigh, bshin, bfoot (rad)</description></item>
///   <item><term>5-7</term><description>angles of fthigh, fshin, ffoot (rad)</description></item>
///   <item><term>8-9</term><description>x and z velocity of the torso (m/s)</description></item>
///   <item><term>10</term><description>angular velocity of the torso (rad/s)</description></item>
///   <item><term>11-16</term><description>angular velocities of bthigh, bshin, bfoot, fthigh, fshin, ffoot (rad/s)</description></item>
/// </list>
/// <para><b>Rewards.</b> <c>reward = forward_reward - ctrl_cost</c>, where
/// <c>forward_reward = forward_reward_weight * (x_after - x_before) / dt</c> (positive running right) and
/// <c>ctrl_cost = ctrl_cost_weight * sum(action²)</c>, the squares summed in float32 as numpy sums a float32
/// action. <c>info</c> holds <c>x_position</c> (after the step), <c>x_velocity</c>, <c>reward_forward</c> and
/// <c>reward_ctrl</c> (= -ctrl_cost); the info of reset holds <c>x_position</c>.</para>
/// <para><b>Starting State.</b> After <c>mj_resetData</c>, <c>qpos = init_qpos + uniform(-s, s, 9)</c> and then
/// <c>qvel = 0 + s * standard_normal(9)</c>, with s = <c>reset_noise_scale</c>, drawn in that order from the env's
/// generator (numpy's <c>default_rng</c>, so a seed gives Gymnasium's draws); then <c>mj_forward</c>. init_qpos is
/// all zeros: the torso 0.7 m above the floor. Reset options <c>qpos</c> (9 numbers) and <c>qvel</c> (9 numbers)
/// replace the corresponding draw with an exact value.</para>
/// <para><b>Episode End.</b> The cheetah never terminates (it cannot fall into an unrecoverable state); the time
/// limit truncates episodes after 1000 steps. A simulation that diverges (MuJoCo finds a bad number in the state)
/// throws <see cref="MuJoCoException"/>; the server answers <c>env_failure</c>.</para>
/// <para><b>Arguments.</b> <c>forward_reward_weight</c> (1.0), <c>ctrl_cost_weight</c> (0.1),
/// <c>reset_noise_scale</c> (0.1), <c>exclude_current_positions_from_observation</c> (true), as above;
/// <c>render_mode</c>: null or "rgb_array" (480×480 frames from the model's camera "track", which follows the
/// centre of mass).</para>
/// <para><b>Version History.</b> v5: reward threshold 4800, <c>reward_forward</c> and <c>reward_ctrl</c> in info,
/// <c>reset_noise_scale</c> and <c>exclude_current_positions_from_observation</c> as kwargs, rendering from the
/// tracking camera. v4 (Gymnasium's first on the mujoco bindings), v3, v2, v1 and v0 are not offered here.</para>
/// </remarks>
public sealed class HalfCheetahEnv : Env
{
    public const string ForwardRewardWeightKwarg = "forward_reward_weight";
    public const string CtrlCostWeightKwarg = "ctrl_cost_weight";
    public const string ResetNoiseScaleKwarg = "reset_noise_scale";
    public const string ExcludeCurrentPositionsKwarg = "exclude_current_positions_from_observation";

    /// <summary>The one render mode: <see cref="Render"/> returns uint8 (480, 480, 3) frames.</summary>
    public const string RgbArrayRenderMode = "rgb_array";

    /// <summary>Physics steps per env step (Gymnasium's <c>frame_skip</c>).</summary>
    public const int FrameSkip = 5;

    /// <summary>Gymnasium's default frame size for MuJoCo envs.</summary>
    public const int FrameWidth = 480, FrameHeight = 480;

    private const string EnvId = "HalfCheetah-v5";
    private const string ModelFile = "half_cheetah.xml";
    private const string TrackingCamera = "track";

    private static readonly int[] FrameShape = [FrameHeight, FrameWidth, 3];

    /// <summary>HalfCheetah-v5 as Gymnasium registers it: 1000-step time limit, reward threshold 4800.</summary>
    public static readonly EnvSpec Spec = new(
        Id: EnvId,
        Create: (kwargs, renderMode) => new HalfCheetahEnv(
            kwargs.GetDouble(ForwardRewardWeightKwarg),
            kwargs.GetDouble(CtrlCostWeightKwarg),
            kwargs.GetDouble(ResetNoiseScaleKwarg),
            kwargs.GetBool(ExcludeCurrentPositionsKwarg),
            renderMode),
        Kwargs: new Dictionary<string, object?>
        {
            [ForwardRewardWeightKwarg] = 1.0,
            [CtrlCostWeightKwarg] = 0.1,
            [ResetNoiseScaleKwarg] = 0.1,
            [ExcludeCurrentPositionsKwarg] = true,
        },
        MaxEpisodeSteps: 1000,
        RewardThreshold: 4800.0,
        RenderModes: [RgbArrayRenderMode],
        RenderFps: 20,
        Description:
            "Make a planar cheetah (MuJoCo) run forward as fast as possible by applying torques to its six leg joints. " +
            "Observation: joint positions (without the torso's x) and velocities, 17 float64. " +
            "Actions: 6 torques in [-1, 1]. Reward: forward velocity minus 0.1 times the squared action; never " +
            "terminates, 1000 steps per episode.");

    private readonly double forwardRewardWeight, ctrlCostWeight, resetNoiseScale;
    private readonly bool excludeCurrentPositions;
    private readonly MuJoCoSimulation simulation;
    private readonly double dt;
    private readonly double[] initialQpos, initialQvel;
    private readonly Box observationBox, actionBox;
    private readonly int[] observationShape;

    // The state after the last reset or step, and the controls of the next step: reused so a step allocates only
    // what it returns.
    private readonly double[] qpos, qvel, ctrl;
    private bool hasState;

    /// <summary>A HalfCheetah without time limit (<see cref="Spec"/>'s <c>Make</c> adds Gymnasium's 1000 steps).</summary>
    /// <param name="forwardRewardWeight">Weight of the forward velocity in the reward.</param>
    /// <param name="ctrlCostWeight">Weight of the squared action, subtracted from the reward.</param>
    /// <param name="resetNoiseScale">Half-width of the uniform qpos noise and scale of the normal qvel noise at reset.</param>
    /// <param name="excludeCurrentPositionsFromObservation">Leave the torso's x out of the observation.</param>
    /// <param name="renderMode">Null, or "rgb_array" to make <see cref="Render"/> draw frames.</param>
    public HalfCheetahEnv(
        double forwardRewardWeight = 1.0,
        double ctrlCostWeight = 0.1,
        double resetNoiseScale = 0.1,
        bool excludeCurrentPositionsFromObservation = true,
        string? renderMode = null)
    {
        if (renderMode is not (null or RgbArrayRenderMode))
        {
            throw new ArgumentException($"{EnvId} has render modes [{RgbArrayRenderMode}]; got render_mode '{renderMode}'", nameof(renderMode));
        }

        RequireFinite(ForwardRewardWeightKwarg, forwardRewardWeight);
        RequireFinite(CtrlCostWeightKwarg, ctrlCostWeight);
        RequireFinite(ResetNoiseScaleKwarg, resetNoiseScale);
        (this.forwardRewardWeight, this.ctrlCostWeight, this.resetNoiseScale) = (forwardRewardWeight, ctrlCostWeight, resetNoiseScale);
        excludeCurrentPositions = excludeCurrentPositionsFromObservation;
        RenderMode = renderMode;

        simulation = MuJoCoSimulation.Load(MuJoCoSimulation.ShippedModelPath(ModelFile));
        dt = simulation.Timestep * FrameSkip;
        initialQpos = simulation.InitialQpos();
        initialQvel = new double[simulation.Nv];
        (qpos, qvel, ctrl) = (new double[simulation.Nq], new double[simulation.Nv], new double[simulation.Nu]);

        observationShape = [simulation.Nq + simulation.Nv - (excludeCurrentPositions ? 1 : 0)];
        observationBox = new Box(double.NegativeInfinity, double.PositiveInfinity, observationShape, DType.Float64);
        actionBox = CreateActionSpace(simulation.CtrlRange());
    }

    /// <summary>Box(-inf, inf, (17,), float64), or (18,) with the torso's x.</summary>
    public override Space ObservationSpace => observationBox;

    /// <summary>Box(-1, 1, (6,), float32): the motors' control ranges.</summary>
    public override Space ActionSpace => actionBox;

    /// <summary>Seconds of simulated time per step: timestep × frame_skip = 0.05.</summary>
    public double Dt => dt;

    /// <summary>The full state (qpos 9, qvel 9) after the last reset or step, as Gymnasium's <c>data.qpos</c>/<c>qvel</c>.</summary>
    internal (double[] Qpos, double[] Qvel) State => ((double[])qpos.Clone(), (double[])qvel.Clone());

    /// <inheritdoc />
    /// <remarks>Options: <c>qpos</c> (9 numbers) and <c>qvel</c> (9 numbers) replace the random draw of each.</remarks>
    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var start = MuJoCoResetOptions.Parse(EnvId, options, simulation.Nq, simulation.Nv);
        base.Reset(seed, options);
        hasState = false;
        simulation.Reset();

        // Gymnasium's reset_model: the uniform qpos noise is drawn before the normal qvel noise.
        if (start.Qpos is double[] exactQpos)
        {
            exactQpos.CopyTo(qpos, 0);
        }
        else
        {
            Random.Uniform(qpos, -resetNoiseScale, resetNoiseScale);
            for (int i = 0; i < qpos.Length; i++) qpos[i] = initialQpos[i] + qpos[i];
        }

        if (start.Qvel is double[] exactQvel)
        {
            exactQvel.CopyTo(qvel, 0);
        }
        else
        {
            Random.StandardNormal(qvel);
            for (int i = 0; i < qvel.Length; i++) qvel[i] = initialQvel[i] + resetNoiseScale * qvel[i];
        }

        simulation.SetState(qpos, qvel);
        simulation.ReadState(qpos, qvel);
        hasState = true;
        return new ResetResult(Observe(), new Dictionary<string, object?> { ["x_position"] = qpos[0] });
    }

    /// <summary>Holds the action (a float32 <see cref="NDArray"/> of 6) for 5 physics steps; never terminates.</summary>
    public override StepResult Step(object action)
    {
        if (!hasState) throw new InvalidOperationException($"{EnvId}: Step called before Reset (or after a failed step)");
        var torques = ((NDArray)action).AsSpan<float>();
        if (torques.Length != ctrl.Length)
        {
            throw new ArgumentException($"{EnvId} takes {ctrl.Length} torques; got {torques.Length}", nameof(action));
        }

        // numpy squares and sums a float32 action in float32, adding from the first element on.
        float squaredSum = 0f;
        for (int i = 0; i < ctrl.Length; i++)
        {
            ctrl[i] = torques[i];
            squaredSum += torques[i] * torques[i];
        }

        double xBefore = qpos[0];
        hasState = false;
        simulation.Step(ctrl, FrameSkip);
        simulation.ReadState(qpos, qvel);
        hasState = true;

        double xVelocity = (qpos[0] - xBefore) / dt;
        double forwardReward = forwardRewardWeight * xVelocity;
        double ctrlCost = ctrlCostWeight * squaredSum;
        var info = new Dictionary<string, object?>(4)
        {
            ["x_position"] = qpos[0],
            ["x_velocity"] = xVelocity,
            ["reward_forward"] = forwardReward,
            ["reward_ctrl"] = -ctrlCost,
        };
        return new StepResult(Observe(), forwardReward - ctrlCost, false, false, info);
    }

    /// <summary>The current frame, uint8 (480, 480, 3), from the tracking camera. The first call sets up EGL.</summary>
    public override NDArray Render()
    {
        if (RenderMode != RgbArrayRenderMode) throw new InvalidOperationException($"{EnvId} was made without render_mode 'rgb_array'");
        if (!hasState) throw new InvalidOperationException($"{EnvId} has nothing to render before the first Reset");
        var frame = new byte[FrameHeight * FrameWidth * 3];
        simulation.Render(FrameWidth, FrameHeight, TrackingCamera, frame);
        return new NDArray(DType.UInt8, FrameShape, frame);
    }

    public override void Dispose()
    {
        simulation.Dispose();
        base.Dispose();
    }

    private NDArray Observe()
    {
        var data = new byte[observationShape[0] * sizeof(double)];
        var observation = MemoryMarshal.Cast<byte, double>(data.AsSpan());
        var positions = excludeCurrentPositions ? qpos.AsSpan(1) : qpos;
        positions.CopyTo(observation);
        qvel.CopyTo(observation[positions.Length..]);

        // The shape array is shared by every observation of this env; arrays are immutable once built.
        return new NDArray(DType.Float64, observationShape, data);
    }

    private static Box CreateActionSpace(double[,] ctrlRange)
    {
        // Gymnasium casts the model's ctrlrange to float32.
        int count = ctrlRange.GetLength(0);
        var low = new float[count];
        var high = new float[count];
        for (int i = 0; i < count; i++) (low[i], high[i]) = ((float)ctrlRange[i, 0], (float)ctrlRange[i, 1]);
        return new Box(NDArray.From(low), NDArray.From(high));
    }

    private static void RequireFinite(string name, double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentException($"{EnvId}: kwarg '{name}' must be a finite number; got {value}");
    }
}
