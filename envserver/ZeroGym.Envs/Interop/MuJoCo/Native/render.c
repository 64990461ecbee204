/* Headless rendering for libzerogym_mujoco: an EGL context without a window (Mesa's surfaceless platform when it
 * has one, the default display otherwise), MuJoCo's renderer drawing into its offscreen framebuffer. */
#include "shim.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <stdlib.h>
#include <string.h>

struct zgmj_renderer {
  EGLDisplay display;
  EGLContext context;
  EGLSurface surface;
  int width, height;
  mjvScene scene;
  mjvCamera camera;
  mjvOption option;
  mjrContext gl;
  int has_scene, has_gl;
  unsigned char* rows; /* one frame as OpenGL returns it, bottom row first */
};

static EGLDisplay open_display(void) {
  PFNEGLGETPLATFORMDISPLAYEXTPROC get_platform_display =
      (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
  const char* extensions = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
  if (get_platform_display && extensions && strstr(extensions, "EGL_MESA_platform_surfaceless")) {
    EGLDisplay display = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
    if (display != EGL_NO_DISPLAY) return display;
  }
  return eglGetDisplay(EGL_DEFAULT_DISPLAY);
}

/* Makes the renderer's context current on this thread; the server may call an env from different threads over its
 * life, so every entry point binds the context and releases it before returning. */
static int bind(zgmj_renderer* renderer) {
  if (eglMakeCurrent(renderer->display, renderer->surface, renderer->surface, renderer->context)) return 0;
  zgmj_set_error("eglMakeCurrent failed (EGL error 0x%x)", eglGetError());
  return -1;
}

static void release(zgmj_renderer* renderer) {
  eglMakeCurrent(renderer->display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
}

static int create_context(zgmj_renderer* renderer) {
  renderer->display = open_display();
  EGLint major, minor;
  if (renderer->display == EGL_NO_DISPLAY || !eglInitialize(renderer->display, &major, &minor)) {
    zgmj_set_error("no EGL display could be initialised (EGL error 0x%x); rendering needs libEGL with Mesa",
                   eglGetError());
    return -1;
  }

  const EGLint config_attributes[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
                                      EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_ALPHA_SIZE, 8,
                                      EGL_DEPTH_SIZE, 24, EGL_STENCIL_SIZE, 8, EGL_NONE};
  EGLConfig config;
  EGLint count = 0;
  if (!eglChooseConfig(renderer->display, config_attributes, &config, 1, &count) || count < 1) {
    zgmj_set_error("EGL has no config for an RGBA8 desktop-OpenGL pbuffer with depth and stencil (EGL error 0x%x)",
                   eglGetError());
    return -1;
  }

  if (!eglBindAPI(EGL_OPENGL_API)) {
    zgmj_set_error("EGL cannot bind desktop OpenGL (EGL error 0x%x)", eglGetError());
    return -1;
  }

  renderer->context = eglCreateContext(renderer->display, config, EGL_NO_CONTEXT, NULL);
  if (renderer->context == EGL_NO_CONTEXT) {
    zgmj_set_error("eglCreateContext failed (EGL error 0x%x)", eglGetError());
    return -1;
  }

  const EGLint surface_attributes[] = {EGL_WIDTH, renderer->width, EGL_HEIGHT, renderer->height, EGL_NONE};
  renderer->surface = eglCreatePbufferSurface(renderer->display, config, surface_attributes);
  if (renderer->surface == EGL_NO_SURFACE) {
    zgmj_set_error("eglCreatePbufferSurface failed (EGL error 0x%x)", eglGetError());
    return -1;
  }

  return 0;
}

/* MuJoCo's scene and its OpenGL resources, made with the renderer's context current. Returns 0 or -1. */
static int make_scene(zgmj_renderer* renderer, const mjModel* model) {
  volatile int failed = 1;
  ZGMJ_TRY {
    mjv_defaultCamera(&renderer->camera);
    mjv_defaultOption(&renderer->option);
    mjv_defaultScene(&renderer->scene);
    mjv_makeScene(model, &renderer->scene, 1000);
    renderer->has_scene = 1;
    mjr_defaultContext(&renderer->gl);
    mjr_makeContext(model, &renderer->gl, mjFONTSCALE_150);
    renderer->has_gl = 1;
    failed = 0;
  }
  ZGMJ_END_TRY
  return failed ? -1 : 0;
}

int zgmj_renderer_create(mjModel* model, int width, int height, const char* camera, zgmj_renderer** created) {
  zgmj_clear_error();
  *created = NULL;
  zgmj_renderer* renderer = calloc(1, sizeof *renderer);
  if (!renderer) {
    zgmj_set_error("out of memory for a renderer");
    return zgmj_fail("creating the offscreen renderer");
  }

  renderer->width = width;
  renderer->height = height;
  renderer->rows = malloc((size_t)width * height * 3);
  if (!renderer->rows || create_context(renderer) != 0 || bind(renderer) != 0) {
    if (!renderer->rows) zgmj_set_error("out of memory for a %dx%d frame", width, height);
    zgmj_renderer_free(renderer);
    return zgmj_fail("creating the offscreen renderer");
  }

  /* MuJoCo sizes its offscreen buffer from the model; make it at least as large as the frame. */
  if (model->vis.global.offwidth < width) model->vis.global.offwidth = width;
  if (model->vis.global.offheight < height) model->vis.global.offheight = height;

  int failed = make_scene(renderer, model);
  release(renderer);
  if (failed) {
    zgmj_renderer_free(renderer);
    return zgmj_fail("creating the offscreen renderer");
  }

  int camera_id = camera ? mj_name2id(model, mjOBJ_CAMERA, camera) : -1;
  if (camera_id >= 0) {
    renderer->camera.type = mjCAMERA_FIXED;
    renderer->camera.fixedcamid = camera_id;
  }

  *created = renderer;
  return 0;
}

void zgmj_renderer_free(zgmj_renderer* renderer) {
  if (!renderer) return;
  if (renderer->context != EGL_NO_CONTEXT && (renderer->has_gl || renderer->has_scene) && bind(renderer) == 0) {
    ZGMJ_TRY {
      if (renderer->has_gl) mjr_freeContext(&renderer->gl);
      if (renderer->has_scene) mjv_freeScene(&renderer->scene);
    }
    ZGMJ_END_TRY
    release(renderer);
  }

  if (renderer->surface != EGL_NO_SURFACE) eglDestroySurface(renderer->display, renderer->surface);
  if (renderer->context != EGL_NO_CONTEXT) eglDestroyContext(renderer->display, renderer->context);
  /* No eglTerminate: the display is shared by every renderer of the process, and terminating it would end theirs. */
  free(renderer->rows);
  free(renderer);
}

int zgmj_render(zgmj_renderer* renderer, const mjModel* model, mjData* data, unsigned char* rgb) {
  zgmj_clear_error();
  if (bind(renderer) != 0) return zgmj_fail("rendering");
  mjrRect viewport = {0, 0, renderer->width, renderer->height};
  volatile int failed = 1;
  ZGMJ_TRY {
    mjv_updateScene(model, data, &renderer->option, NULL, &renderer->camera, mjCAT_ALL, &renderer->scene);
    mjr_setBuffer(mjFB_OFFSCREEN, &renderer->gl);
    mjr_render(viewport, &renderer->scene, &renderer->gl);
    mjr_readPixels(renderer->rows, NULL, viewport, &renderer->gl);
    failed = 0;
  }
  ZGMJ_END_TRY
  release(renderer);
  if (failed) return zgmj_fail("rendering");

  /* OpenGL's rows start at the bottom; images start at the top. */
  size_t row_bytes = (size_t)renderer->width * 3;
  for (int row = 0; row < renderer->height; row++) {
    memcpy(rgb + row * row_bytes, renderer->rows + (size_t)(renderer->height - 1 - row) * row_bytes, row_bytes);
  }

  return 0;
}
