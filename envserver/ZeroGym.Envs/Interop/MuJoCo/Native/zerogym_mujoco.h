/* libzerogym_mujoco: the C ABI between ZeroGym.Envs (.NET) and MuJoCo. Only what the MuJoCo envs need.
 *
 * Failures never end the process: a function that can fail returns a status, 0 on success and -1 on failure, and
 * leaves a message for zgmj_last_error() on the calling thread saying what it was doing and why it failed; what it
 * makes comes back through its last argument. MuJoCo's own fatal errors (mju_error) are caught the same way. */
#ifndef ZEROGYM_MUJOCO_H
#define ZEROGYM_MUJOCO_H

#include <mujoco/mujoco.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZGMJ_API __attribute__((visibility("default")))

typedef struct zgmj_renderer zgmj_renderer;

/* The message of the last failure on this thread. */
ZGMJ_API const char* zgmj_last_error(void);

/* mj_version() of the loaded library, and mjVERSION_HEADER of the headers this shim was compiled against. */
ZGMJ_API int zgmj_library_version(void);
ZGMJ_API int zgmj_header_version(void);

/* Model and data. A model file that does not load fails with MuJoCo's error text. */
ZGMJ_API int zgmj_load_model(const char* path, mjModel** model);
ZGMJ_API void zgmj_free_model(mjModel* model);
ZGMJ_API int zgmj_make_data(const mjModel* model, mjData** data);
ZGMJ_API void zgmj_free_data(mjData* data);

/* Sizes: nq (positions), nv (velocities), nu (controls); timestep in seconds. */
ZGMJ_API void zgmj_sizes(const mjModel* model, int* nq, int* nv, int* nu);
ZGMJ_API double zgmj_timestep(const mjModel* model);
/* ctrlrange of every actuator, (low, high) pairs; nu pairs. */
ZGMJ_API void zgmj_ctrl_range(const mjModel* model, double* ranges);
/* qpos0, the positions mj_resetData restores (nq values). */
ZGMJ_API void zgmj_initial_qpos(const mjModel* model, double* qpos);

/* mj_resetData. */
ZGMJ_API void zgmj_reset(const mjModel* model, mjData* data);
/* Writes qpos (nq) and qvel (nv), then mj_forward. Fails when MuJoCo does. */
ZGMJ_API int zgmj_set_state(const mjModel* model, mjData* data, const double* qpos, const double* qvel);
/* Copies qpos (nq) and qvel (nv) out. */
ZGMJ_API void zgmj_get_state(const mjModel* model, const mjData* data, double* qpos, double* qvel);
/* Writes ctrl (nu values, unclipped), runs mj_step n times, then mj_rnePostConstraint. Fails when the physics
 * failed: MuJoCo warned of a bad number in qpos, qvel, qacc or ctrl (and reset the data), or the state
 * is no longer finite. */
ZGMJ_API int zgmj_step(const mjModel* model, mjData* data, const double* ctrl, int steps);

/* Headless rendering through EGL (Mesa works without a display). */
ZGMJ_API int zgmj_renderer_create(mjModel* model, int width, int height, const char* camera, zgmj_renderer** renderer);
ZGMJ_API void zgmj_renderer_free(zgmj_renderer* renderer);
/* Draws the current state into rgb (height * width * 3 bytes, rows top first). */
ZGMJ_API int zgmj_render(zgmj_renderer* renderer, const mjModel* model, mjData* data, unsigned char* rgb);

/* The raw loop the benchmark compares the env with: env_steps times (write ctrl from the actions, cycling through
 * action_count rows of nu values; frame_skip mj_step; mj_rnePostConstraint), mj_resetData every episode_steps.
 * The elapsed seconds go to *seconds. */
ZGMJ_API int zgmj_bench_raw(const mjModel* model, mjData* data, const double* actions, int action_count,
                            long env_steps, int frame_skip, int episode_steps, double* seconds);

#ifdef __cplusplus
}
#endif

#endif
