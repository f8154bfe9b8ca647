#include "viewer/map_cache.hpp"

#include <cmath>

#include "gl/gl.hpp"

namespace nexusmap::viewer {

MapCache::~MapCache() {
    release(base_);
    release(full_);
    release(window_);
}

void MapCache::release(Target& t) {
    if (t.fbo) glDeleteFramebuffers(1, &t.fbo);
    if (t.tex) glDeleteTextures(1, &t.tex);
    t = Target{};
}

bool MapCache::ensure(Target& t, int w, int h) {
    if (t.fbo && t.w == w && t.h == h) return true;
    release(t);
    glGenTextures(1, &t.tex);
    glBindTexture(GL_TEXTURE_2D, t.tex);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glBindTexture(GL_TEXTURE_2D, 0);
    glGenFramebuffers(1, &t.fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, t.fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, t.tex, 0);
    const bool ok = glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    if (!ok) {
        release(t);
        return false;
    }
    t.w = w;
    t.h = h;
    return true;
}

namespace {
void blit(unsigned from, unsigned to, int sx0, int sy0, int sx1, int sy1, int dx0, int dy0, int dx1, int dy1,
          GLenum filter) {
    glBindFramebuffer(GL_READ_FRAMEBUFFER, from);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, to);
    glBlitFramebuffer(sx0, sy0, sx1, sy1, dx0, dy0, dx1, dy1, GL_COLOR_BUFFER_BIT, filter);
}
} // namespace

MapCache::Did MapCache::present(const ViewTransform& view, int fb_w, int fb_h, double s, uint64_t base_key,
                                uint64_t over_key, bool moving, const std::function<void()>& draw_base,
                                const std::function<void()>& draw_over) {
    GLint screen = 0;
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &screen);
    const bool sized = full_.valid && full_.w == fb_w && full_.h == fb_h && full_.s == s;
    const bool content_same = sized && base_.valid && full_.key == over_key && base_.key == base_key &&
                              full_.base_version == base_version_;
    Did did = Did::Copied;
    if (content_same && same_view(full_.view, view)) {
        did = Did::Copied;
    } else if (content_same && moving) {
        did = Did::Transformed;
    } else {
        if (!ensure(base_, fb_w, fb_h) || !ensure(full_, fb_w, fb_h)) {
            // No offscreen target (out of memory): draw straight onto the window as before.
            glBindFramebuffer(GL_FRAMEBUFFER, GLuint(screen));
            draw_base();
            draw_over();
            full_.valid = base_.valid = false;
            stale_view_ = false;
            return last_ = Did::RedrewAll;
        }
        const bool base_ok = base_.valid && base_.key == base_key && base_.s == s && same_view(base_.view, view);
        if (!base_ok) {
            glBindFramebuffer(GL_FRAMEBUFFER, base_.fbo);
            draw_base();
            base_.valid = true;
            base_.key = base_key;
            base_.view = view;
            base_.s = s;
            ++base_version_;
            did = Did::RedrewAll;
        } else {
            did = Did::RedrewOver;
        }
        glDisable(GL_SCISSOR_TEST);
        blit(base_.fbo, full_.fbo, 0, 0, fb_w, fb_h, 0, 0, fb_w, fb_h, GL_NEAREST);
        glBindFramebuffer(GL_FRAMEBUFFER, full_.fbo);
        draw_over();
        full_.valid = true;
        full_.key = over_key;
        full_.base_version = base_version_;
        full_.view = view;
        full_.s = s;
    }
    glDisable(GL_SCISSOR_TEST);
    // The whole framebuffer first: the background around the canvas (the sidebar shows through
    // ImGui's translucent window) and, unless transformed, the map itself.
    blit(full_.fbo, GLuint(screen), 0, 0, fb_w, fb_h, 0, 0, fb_w, fb_h, GL_NEAREST);
    if (did == Did::Transformed) {
        const ViewTransform& from = full_.view;
        const int cx0 = int(std::lround(view.vx * s)), cx1 = int(std::lround((view.vx + view.vw) * s));
        const int cy0 = fb_h - int(std::lround((view.vy + view.vh) * s)), cy1 = fb_h - int(std::lround(view.vy * s));
        glBindFramebuffer(GL_FRAMEBUFFER, GLuint(screen));
        glEnable(GL_SCISSOR_TEST);
        glScissor(cx0, cy0, cx1 - cx0, cy1 - cy0);
        glClearColor(sea[0], sea[1], sea[2], 1.f);
        glClear(GL_COLOR_BUFFER_BIT);
        const ScreenRect r = cached_canvas_on(from, view);
        const int sx0 = int(std::lround(from.vx * s)), sx1 = int(std::lround((from.vx + from.vw) * s));
        const int sy0 = fb_h - int(std::lround((from.vy + from.vh) * s)), sy1 = fb_h - int(std::lround(from.vy * s));
        blit(full_.fbo, GLuint(screen), sx0, sy0, sx1, sy1, int(std::lround(r.x0 * s)),
             fb_h - int(std::lround(r.y1 * s)), int(std::lround(r.x1 * s)), fb_h - int(std::lround(r.y0 * s)),
             GL_LINEAR);
        glDisable(GL_SCISSOR_TEST);
    }
    glBindFramebuffer(GL_FRAMEBUFFER, GLuint(screen));
    stale_view_ = did == Did::Transformed;
    if (did != Did::Copied) ++pictures_;
    return last_ = did;
}

bool MapCache::present_window(const ViewTransform& view, int fb_w, int fb_h, double s, uint64_t base_key,
                              uint64_t over_key, bool moving, uint64_t ui_hash, const std::function<void()>& draw_base,
                              const std::function<void()>& draw_over, const std::function<void()>& draw_ui) {
    GLint screen = 0;
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &screen);
    const bool map_same = full_.valid && base_.valid && full_.w == fb_w && full_.h == fb_h && full_.s == s &&
                          full_.key == over_key && base_.key == base_key && full_.base_version == base_version_ &&
                          same_view(full_.view, view);
    glDisable(GL_SCISSOR_TEST);
    if (map_same && window_.valid && window_.w == fb_w && window_.h == fb_h && window_.key == ui_hash &&
        window_.base_version == pictures_) {
        blit(window_.fbo, GLuint(screen), 0, 0, fb_w, fb_h, 0, 0, fb_w, fb_h, GL_NEAREST);
        glBindFramebuffer(GL_FRAMEBUFFER, GLuint(screen));
        last_ = Did::Copied;
        return true;
    }
    if (!ensure(window_, fb_w, fb_h)) { // no third texture: straight onto the window
        present(view, fb_w, fb_h, s, base_key, over_key, moving, draw_base, draw_over);
        draw_ui();
        return false;
    }
    glBindFramebuffer(GL_FRAMEBUFFER, window_.fbo);
    present(view, fb_w, fb_h, s, base_key, over_key, moving, draw_base, draw_over);
    glBindFramebuffer(GL_FRAMEBUFFER, window_.fbo);
    draw_ui();
    glDisable(GL_SCISSOR_TEST);
    blit(window_.fbo, GLuint(screen), 0, 0, fb_w, fb_h, 0, 0, fb_w, fb_h, GL_NEAREST);
    glBindFramebuffer(GL_FRAMEBUFFER, GLuint(screen));
    window_.valid = !stale_view_;
    window_.key = ui_hash;
    window_.base_version = pictures_;
    return false;
}

} // namespace nexusmap::viewer
