#pragma once
// An offscreen RGBA8 render target for exports larger than the window: a framebuffer with a
// colour renderbuffer (multisampled when asked and supported, resolved with a blit before the
// read-back). Main thread, current GL context.
#include <string>

#include "viewer/png_io.hpp"

namespace nexusmap::viewer {

class Offscreen {
  public:
    // Throws std::runtime_error when the size exceeds the driver's limits or the framebuffer is
    // incomplete. `samples` 0 = no multisampling.
    Offscreen(int width, int height, int samples);
    ~Offscreen();
    Offscreen(const Offscreen&) = delete;
    Offscreen& operator=(const Offscreen&) = delete;

    // Binds the target for drawing (GL_FRAMEBUFFER); restore the previous binding with unbind().
    void bind();
    void unbind();
    // Resolves (if multisampled) and reads the pixels back, top row first, opaque.
    Image read();
    int width() const { return w_; }
    int height() const { return h_; }
    int samples() const { return samples_; }

    // Largest width/height the driver can render into (renderbuffer and viewport limits).
    static int max_size();

  private:
    void release();
    int w_ = 0, h_ = 0, samples_ = 0;
    unsigned fbo_ = 0, rb_ = 0;           // single-sample target (read back from)
    unsigned msaa_fbo_ = 0, msaa_rb_ = 0; // multisampled target (drawn into), when samples_ > 0
    int prev_fbo_ = 0;
};

} // namespace nexusmap::viewer
