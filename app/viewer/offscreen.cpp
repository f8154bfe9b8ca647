#include "viewer/offscreen.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "gl/gl.hpp"

namespace nexusmap::viewer {

namespace {
void make_target(unsigned& fbo, unsigned& rb, int w, int h, int samples) {
    glGenFramebuffers(1, &fbo);
    glGenRenderbuffers(1, &rb);
    glBindRenderbuffer(GL_RENDERBUFFER, rb);
    if (samples > 0)
        glRenderbufferStorageMultisample(GL_RENDERBUFFER, samples, GL_RGBA8, w, h);
    else
        glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, w, h);
    glBindRenderbuffer(GL_RENDERBUFFER, 0);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, rb);
}
} // namespace

int Offscreen::max_size() {
    GLint rb = 0, vp[2] = {0, 0};
    glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &rb);
    glGetIntegerv(GL_MAX_VIEWPORT_DIMS, vp);
    return std::min({int(rb), int(vp[0]), int(vp[1])});
}

Offscreen::Offscreen(int width, int height, int samples) : w_(width), h_(height) {
    const int lim = max_size();
    if (w_ < 1 || h_ < 1 || w_ > lim || h_ > lim)
        throw std::runtime_error("offscreen image " + std::to_string(w_) + "x" + std::to_string(h_) +
                                 " exceeds the GL limit of " + std::to_string(lim) + " pixels a side");
    GLint max_samples = 0;
    glGetIntegerv(GL_MAX_SAMPLES, &max_samples);
    samples_ = std::clamp(samples, 0, int(max_samples));
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &prev_fbo_);
    while (glGetError() != GL_NO_ERROR) {
    }
    make_target(fbo_, rb_, w_, h_, 0);
    bool ok = glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
    if (ok && samples_ > 0) {
        make_target(msaa_fbo_, msaa_rb_, w_, h_, samples_);
        if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
            // No multisampling at this size: draw straight into the single-sample target.
            glDeleteFramebuffers(1, &msaa_fbo_);
            glDeleteRenderbuffers(1, &msaa_rb_);
            msaa_fbo_ = msaa_rb_ = 0;
            samples_ = 0;
        }
    }
    const GLenum err = glGetError();
    glBindFramebuffer(GL_FRAMEBUFFER, GLuint(prev_fbo_));
    if (!ok || err == GL_OUT_OF_MEMORY) {
        release();
        throw std::runtime_error("cannot create a " + std::to_string(w_) + "x" + std::to_string(h_) +
                                 " offscreen framebuffer" + (err == GL_OUT_OF_MEMORY ? " (out of memory)" : ""));
    }
}

Offscreen::~Offscreen() {
    release();
}

void Offscreen::release() {
    if (msaa_fbo_) glDeleteFramebuffers(1, &msaa_fbo_);
    if (msaa_rb_) glDeleteRenderbuffers(1, &msaa_rb_);
    if (fbo_) glDeleteFramebuffers(1, &fbo_);
    if (rb_) glDeleteRenderbuffers(1, &rb_);
    msaa_fbo_ = msaa_rb_ = fbo_ = rb_ = 0;
}

void Offscreen::bind() {
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &prev_fbo_);
    glBindFramebuffer(GL_FRAMEBUFFER, samples_ > 0 ? msaa_fbo_ : fbo_);
}

void Offscreen::unbind() {
    glBindFramebuffer(GL_FRAMEBUFFER, GLuint(prev_fbo_));
}

Image Offscreen::read() {
    GLint prev = 0;
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &prev);
    if (samples_ > 0) {
        glBindFramebuffer(GL_READ_FRAMEBUFFER, msaa_fbo_);
        glBindFramebuffer(GL_DRAW_FRAMEBUFFER, fbo_);
        glDisable(GL_SCISSOR_TEST);
        glBlitFramebuffer(0, 0, w_, h_, 0, 0, w_, h_, GL_COLOR_BUFFER_BIT, GL_NEAREST);
    }
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    glReadBuffer(GL_COLOR_ATTACHMENT0);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    Image img;
    img.width = w_;
    img.height = h_;
    const size_t row = size_t(w_) * 4;
    std::vector<uint8_t> tmp(row * size_t(h_));
    glReadPixels(0, 0, w_, h_, GL_RGBA, GL_UNSIGNED_BYTE, tmp.data());
    img.rgba.resize(tmp.size());
    for (int y = 0; y < h_; ++y)
        std::copy_n(&tmp[size_t(h_ - 1 - y) * row], row, &img.rgba[size_t(y) * row]);
    for (size_t i = 3; i < img.rgba.size(); i += 4)
        img.rgba[i] = 255;
    glBindFramebuffer(GL_FRAMEBUFFER, GLuint(prev));
    return img;
}

} // namespace nexusmap::viewer
