/* Model, data and stepping for libzerogym_mujoco (see zerogym_mujoco.h). */
#include "shim.h"

#include <malloc.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

_Thread_local jmp_buf* zgmj_guard;
static _Thread_local char last_error[1024];

void zgmj_set_error(const char* format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(last_error, sizeof last_error, format, args);
  va_end(args);
}

/* MuJoCo's default error handler calls exit(); this one jumps back to the shim function that called MuJoCo, which
 * then returns its failure value. Every call into MuJoCo that can raise an error runs under ZGMJ_TRY. */
static void on_mujoco_error(const char* message) {
  zgmj_set_error("MuJoCo error: %s", message);
  if (zgmj_guard) longjmp(*zgmj_guard, 1);
}

/* Warnings are counted in mjData.warning, where zgmj_step reads them; printing them to stdout would only
 * interleave with the server's output. */
static void on_mujoco_warning(const char* message) { (void)message; }

__attribute__((constructor)) static void install_handlers(void) {
  mju_user_error = on_mujoco_error;
  mju_user_warning = on_mujoco_warning;
  /* Each mjData holds a 2.4 MB stack (the model's nstack). glibc serves blocks that big with mmap, but after the first
   * one is freed it raises its mmap threshold and carves later ones out of the heap, which it rarely gives back: a
   * server that makes and closes envs for days would keep its peak forever. A fixed threshold keeps them mmapped, so
   * closing an env returns its memory to the system. */
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

void zgmj_clear_error(void) { last_error[0] = '\0'; }

int zgmj_fail(const char* doing) {
  char reason[sizeof last_error];
  snprintf(reason, sizeof reason, "%s", last_error[0] ? last_error : "no reason given");
  zgmj_set_error("%s: %s", doing, reason);
  return -1;
}

const char* zgmj_last_error(void) { return last_error; }

int zgmj_library_version(void) { return mj_version(); }

int zgmj_header_version(void) { return mjVERSION_HEADER; }

int zgmj_load_model(const char* path, mjModel** model) {
  zgmj_clear_error();
  char error[1000] = "";
  mjModel* volatile loaded = NULL;
  ZGMJ_TRY {
    loaded = mj_loadXML(path, NULL, error, sizeof error);
  }
  ZGMJ_END_TRY
  *model = loaded;
  if (loaded) return 0;
  if (error[0]) zgmj_set_error("MuJoCo could not load the model '%s': %s", path, error);
  return zgmj_fail("loading a MuJoCo model");
}

void zgmj_free_model(mjModel* model) { mj_deleteModel(model); }

int zgmj_make_data(const mjModel* model, mjData** data) {
  zgmj_clear_error();
  mjData* volatile made = NULL;
  ZGMJ_TRY {
    made = mj_makeData(model);
  }
  ZGMJ_END_TRY
  *data = made;
  if (made) return 0;
  if (!last_error[0]) zgmj_set_error("MuJoCo could not allocate mjData");
  return zgmj_fail("making the simulation data");
}

void zgmj_free_data(mjData* data) { mj_deleteData(data); }

void zgmj_sizes(const mjModel* model, int* nq, int* nv, int* nu) {
  *nq = model->nq;
  *nv = model->nv;
  *nu = model->nu;
}

double zgmj_timestep(const mjModel* model) { return model->opt.timestep; }

void zgmj_ctrl_range(const mjModel* model, double* ranges) {
  memcpy(ranges, model->actuator_ctrlrange, sizeof(double) * 2 * model->nu);
}

void zgmj_initial_qpos(const mjModel* model, double* qpos) {
  memcpy(qpos, model->qpos0, sizeof(double) * model->nq);
}

void zgmj_reset(const mjModel* model, mjData* data) { mj_resetData(model, data); }

void zgmj_get_state(const mjModel* model, const mjData* data, double* qpos, double* qvel) {
  memcpy(qpos, data->qpos, sizeof(double) * model->nq);
  memcpy(qvel, data->qvel, sizeof(double) * model->nv);
}

int zgmj_set_state(const mjModel* model, mjData* data, const double* qpos, const double* qvel) {
  zgmj_clear_error();
  memcpy(data->qpos, qpos, sizeof(double) * model->nq);
  memcpy(data->qvel, qvel, sizeof(double) * model->nv);
  volatile int failed = 1;
  ZGMJ_TRY {
    mj_forward(model, data);
    failed = 0;
  }
  ZGMJ_END_TRY
  return failed ? zgmj_fail("setting the state") : 0;
}

/* The warnings by which mj_step reports a diverged simulation; it resets the data when it raises one. */
static const struct {
  int warning;
  const char* what;
} bad_number_warnings[] = {
    {mjWARN_BADQPOS, "qpos"}, {mjWARN_BADQVEL, "qvel"}, {mjWARN_BADQACC, "qacc"}, {mjWARN_BADCTRL, "ctrl"}};
enum { bad_number_warning_count = sizeof bad_number_warnings / sizeof bad_number_warnings[0] };

static int all_finite(const double* values, int count) {
  for (int i = 0; i < count; i++) {
    if (!isfinite(values[i])) return 0;
  }
  return 1;
}

int zgmj_step(const mjModel* model, mjData* data, const double* ctrl, int steps) {
  zgmj_clear_error();
  int before[bad_number_warning_count];
  for (int i = 0; i < bad_number_warning_count; i++) before[i] = data->warning[bad_number_warnings[i].warning].number;

  memcpy(data->ctrl, ctrl, sizeof(double) * model->nu);
  volatile int failed = 1;
  ZGMJ_TRY {
    for (int i = 0; i < steps; i++) mj_step(model, data);
    mj_rnePostConstraint(model, data);
    failed = 0;
  }
  ZGMJ_END_TRY
  if (failed) return zgmj_fail("stepping the simulation");

  for (int i = 0; i < bad_number_warning_count; i++) {
    const mjWarningStat* stat = &data->warning[bad_number_warnings[i].warning];
    if (stat->number != before[i]) {
      zgmj_set_error("the simulation diverged: MuJoCo found a bad number in %s (index %d) and reset the state "
                     "(mjWARN_BAD%s)", bad_number_warnings[i].what, stat->lastinfo, bad_number_warnings[i].what);
      return zgmj_fail("stepping the simulation");
    }
  }

  if (!all_finite(data->qpos, model->nq) || !all_finite(data->qvel, model->nv)) {
    zgmj_set_error("the simulation diverged: qpos or qvel is no longer finite at time %g", data->time);
    return zgmj_fail("stepping the simulation");
  }

  return 0;
}

static double now_seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

int zgmj_bench_raw(const mjModel* model, mjData* data, const double* actions, int action_count, long env_steps,
                   int frame_skip, int episode_steps, double* seconds) {
  zgmj_clear_error();
  volatile double elapsed = -1;
  ZGMJ_TRY {
    mj_resetData(model, data);
    mj_forward(model, data);
    double start = now_seconds();
    for (long step = 0; step < env_steps; step++) {
      if (step % episode_steps == 0 && step > 0) {
        mj_resetData(model, data);
        mj_forward(model, data);
      }

      memcpy(data->ctrl, actions + (step % action_count) * model->nu, sizeof(double) * model->nu);
      for (int i = 0; i < frame_skip; i++) mj_step(model, data);
      mj_rnePostConstraint(model, data);
    }

    elapsed = now_seconds() - start;
  }
  ZGMJ_END_TRY
  *seconds = elapsed;
  return elapsed < 0 ? zgmj_fail("the raw step loop") : 0;
}
