#pragma once
// PROJ handles in unique_ptrs; one PJ_CONTEXT per thread.
#include <proj.h>

#include <memory>

namespace nexusmap::detail {

struct ProjContextDeleter {
    void operator()(PJ_CONTEXT* c) const { proj_context_destroy(c); }
};
struct PjDeleter {
    void operator()(PJ* p) const { proj_destroy(p); }
};
using PjPtr = std::unique_ptr<PJ, PjDeleter>;

// The calling thread's PROJ context (created on first use, destroyed at thread exit).
inline PJ_CONTEXT* proj_ctx() {
    thread_local std::unique_ptr<PJ_CONTEXT, ProjContextDeleter> ctx = [] {
        std::unique_ptr<PJ_CONTEXT, ProjContextDeleter> c{proj_context_create()};
        proj_log_level(c.get(), PJ_LOG_NONE); // errors reach the user through GeoError, not stderr
        proj_context_set_enable_network(c.get(), 0); // no grid downloads, whatever PROJ_NETWORK says (issue #19)
        return c;
    }();
    return ctx.get();
}

} // namespace nexusmap::detail
