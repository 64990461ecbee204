// Exceptions become a thread-local message; .NET reads it with zg_last_error right after the failing call.
#include "shim.h"

#include <c10/util/Exception.h>

#include <exception>

namespace {
thread_local std::string last_error;
}

void zg::record_current_exception() noexcept {
  try {
    throw;
  } catch (const c10::Error& error) {
    // what() appends a C++ backtrace that means nothing to a .NET caller.
    last_error = error.what_without_backtrace();
  } catch (const std::exception& error) {
    last_error = error.what();
  } catch (...) {
    last_error = "unknown C++ exception";
  }
}

const char* zg_last_error(void) { return last_error.c_str(); }
