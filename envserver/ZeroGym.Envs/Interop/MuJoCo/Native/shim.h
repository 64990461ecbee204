/* Internal to libzerogym_mujoco: the error state shared by its source files. */
#ifndef ZEROGYM_MUJOCO_SHIM_H
#define ZEROGYM_MUJOCO_SHIM_H

#include <setjmp.h>

#include "zerogym_mujoco.h"

/* Where MuJoCo's error handler jumps on this thread; NULL outside ZGMJ_TRY. */
extern _Thread_local jmp_buf* zgmj_guard;

/* Records the message zgmj_last_error() returns. */
void zgmj_set_error(const char* format, ...) __attribute__((format(printf, 1, 2)));

/* Every function that returns a status starts with zgmj_clear_error(), so that a failure never reports the message of
 * an earlier one, and fails with `return zgmj_fail("doing what")`: the recorded message, prefixed with what the
 * function was doing, and the failure status. */
void zgmj_clear_error(void);
int zgmj_fail(const char* doing);

/* Runs the block; an mju_error inside it lands after ZGMJ_END_TRY with the message recorded. Variables the block
 * assigns and the code after reads must be volatile (setjmp rules). */
#define ZGMJ_TRY                          \
  {                                       \
    jmp_buf zgmj_jump_;                   \
    jmp_buf* zgmj_outer_ = zgmj_guard;    \
    zgmj_guard = &zgmj_jump_;             \
    if (setjmp(zgmj_jump_) == 0)

#define ZGMJ_END_TRY        \
    zgmj_guard = zgmj_outer_; \
  }

#endif
