// The ceiling for the NES envs: a minimal libretro frontend in C that loads the Nestopia core, runs a ROM frame after
// frame and prints frames per second as one JSON line for tests/bench/report.py. The callbacks do nothing but hand
// the core a joypad, so the figure is the core's own cost on this machine.
//
//   cc -O2 -o nes_raw_loop tests/bench/nes_raw_loop.c -ldl
//   nes_raw_loop CORE.so ROM.nes SECONDS sound|silent
//
// "silent" answers every nestopia_audio_vol_* option with 0, as the envs do (NesConsole); "sound" leaves the
// core's defaults. Both clocks are reported: wall time, and this thread's CPU time (the rate per core on a
// machine shared with other work).
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// The few libretro.h values used here (API version 1).
enum
{
    ENVIRONMENT_GET_SYSTEM_DIRECTORY = 9,
    ENVIRONMENT_SET_PIXEL_FORMAT = 10,
    ENVIRONMENT_GET_VARIABLE = 15,
    ENVIRONMENT_GET_VARIABLE_UPDATE = 17,
    ENVIRONMENT_GET_SAVE_DIRECTORY = 31,
    PIXEL_FORMAT_XRGB8888 = 1,
    DEVICE_JOYPAD = 1,
    DEVICE_ID_JOYPAD_MASK = 256,
};

struct game_info
{
    const char *path;
    const void *data;
    size_t size;
    const char *meta;
};

struct variable
{
    const char *key;
    const char *value;
};

static bool silent;
static uint16_t joypad;
static uint32_t shown; // one pixel of each frame, so the frame is read as an env would

static bool on_environment(unsigned command, void *data)
{
    switch (command)
    {
    case ENVIRONMENT_SET_PIXEL_FORMAT:
        return *(const int *)data == PIXEL_FORMAT_XRGB8888;
    case ENVIRONMENT_GET_SYSTEM_DIRECTORY:
    case ENVIRONMENT_GET_SAVE_DIRECTORY:
        *(const char **)data = "/tmp";
        return true;
    case ENVIRONMENT_GET_VARIABLE:
    {
        struct variable *variable = data;
        bool volume = strncmp(variable->key, "nestopia_audio_vol_", strlen("nestopia_audio_vol_")) == 0;
        variable->value = silent && volume ? "0" : NULL;
        return variable->value != NULL;
    }
    case ENVIRONMENT_GET_VARIABLE_UPDATE:
        *(bool *)data = false;
        return true;
    default:
        return false;
    }
}

static void on_video(const void *data, unsigned width, unsigned height, size_t pitch)
{
    if (data != NULL) shown ^= ((const uint32_t *)data)[(height / 2) * (pitch / 4) + width / 2];
}

static void on_audio_sample(int16_t left, int16_t right) { (void)left, (void)right; }

static size_t on_audio_batch(const int16_t *samples, size_t frames) { return (void)samples, frames; }

static void on_input_poll(void) {}

static int16_t on_input_state(unsigned port, unsigned device, unsigned index, unsigned id)
{
    if (port != 0 || device != DEVICE_JOYPAD || index != 0) return 0;
    return id == DEVICE_ID_JOYPAD_MASK ? (int16_t)joypad : id < 16 ? (joypad >> id) & 1 : 0;
}

static double seconds_of(clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static void *symbol(void *core, const char *name)
{
    void *address = dlsym(core, name);
    if (address == NULL)
    {
        fprintf(stderr, "nes_raw_loop: the core has no %s\n", name);
        exit(1);
    }
    return address;
}

int main(int argc, char **argv)
{
    if (argc != 5 || (strcmp(argv[4], "sound") != 0 && strcmp(argv[4], "silent") != 0))
    {
        fprintf(stderr, "usage: nes_raw_loop CORE.so ROM.nes SECONDS sound|silent\n");
        return 2;
    }
    double seconds = atof(argv[3]);
    silent = strcmp(argv[4], "silent") == 0;
    void *core = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (core == NULL)
    {
        fprintf(stderr, "nes_raw_loop: cannot load the core: %s\n", dlerror());
        return 1;
    }

    ((void (*)(void *))symbol(core, "retro_set_environment"))((void *)on_environment);
    ((void (*)(void *))symbol(core, "retro_set_video_refresh"))((void *)on_video);
    ((void (*)(void *))symbol(core, "retro_set_audio_sample"))((void *)on_audio_sample);
    ((void (*)(void *))symbol(core, "retro_set_audio_sample_batch"))((void *)on_audio_batch);
    ((void (*)(void *))symbol(core, "retro_set_input_poll"))((void *)on_input_poll);
    ((void (*)(void *))symbol(core, "retro_set_input_state"))((void *)on_input_state);
    ((void (*)(void))symbol(core, "retro_init"))();

    FILE *file = fopen(argv[2], "rb");
    if (file == NULL)
    {
        fprintf(stderr, "nes_raw_loop: cannot open the ROM %s\n", argv[2]);
        return 1;
    }
    static uint8_t rom[4 << 20];
    size_t size = fread(rom, 1, sizeof rom, file);
    fclose(file);
    struct game_info game = {argv[2], rom, size, NULL};
    if (!((bool (*)(const struct game_info *))symbol(core, "retro_load_game"))(&game))
    {
        fprintf(stderr, "nes_raw_loop: the core refused the ROM %s (%zu bytes)\n", argv[2], size);
        return 1;
    }
    ((void (*)(unsigned, unsigned))symbol(core, "retro_set_controller_port_device"))(0, DEVICE_JOYPAD);
    void (*run)(void) = (void (*)(void))symbol(core, "retro_run");

    // As in the C# benchmark, the buttons change every 16 frames. One second unmeasured first.
    long frames = 0;
    for (double warm = seconds_of(CLOCK_MONOTONIC); seconds_of(CLOCK_MONOTONIC) - warm < 1.0;)
    {
        joypad = (uint16_t)((frames++ >> 4) & 0xFF);
        run();
    }
    frames = 0;
    double wall = seconds_of(CLOCK_MONOTONIC), cpu = seconds_of(CLOCK_THREAD_CPUTIME_ID), elapsed;
    do
    {
        for (int i = 0; i < 100; i++)
        {
            joypad = (uint16_t)((frames++ >> 4) & 0xFF);
            run();
        }
        elapsed = seconds_of(CLOCK_MONOTONIC) - wall;
    } while (elapsed < seconds);
    double cpuElapsed = seconds_of(CLOCK_THREAD_CPUTIME_ID) - cpu;
    printf("{\"name\":\"raw nestopia frame (C loop, %s)\",\"items_per_s\":%.1f,\"items_per_cpu_s\":%.1f,\"pixel\":%u}\n",
           argv[4], frames / elapsed, frames / cpuElapsed, shown);
    return 0;
}
