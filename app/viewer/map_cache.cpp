#include "viewer/map_cache.hpp"

#include <cmath>

#include "gl/gl.hpp"

namespace nexusmap::viewer {

MapCache::~MapCache() {
    for (Target& t : lv_)
        release(t);
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

bool MapCache::level_current(int i, const ViewTransform& view, int fb_w, int fb_h, double s,
                             const std::array<Level, kLevels>& levels) const {
    const Target& t = lv_[size_t(i)];
    if (!t.valid || t.w != fb_w || t.h != fb_h || t.s != s || t.key != levels[size_t(i)].key ||
        !same_view(t.view, view))
        return false;
    return i == 0 ||
           (level_current(i - 1, view, fb_w, fb_h, s, levels) && t.below == lv_[size_t(i - 1)].version);
}

MapCache::Did MapCache::present(const ViewTransform& view, int fb_w, int fb_h, double s,
                                const std::array<Level, kLevels>& levels, bool moving) {
    GLint screen = 0;
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &screen);
    Target& top = lv_[kLevels - 1];
    // Same content, other view: every level's key as cached, and the top built on the levels below.
    bool content_same = top.valid && top.w == fb_w && top.h == fb_h && top.s == s;
    for (int i = 0; i < kLevels && content_same; ++i) {
        const Target& t = lv_[size_t(i)];
        content_same = t.valid && t.key == levels[size_t(i)].key && same_view(t.view, top.view) &&
                       (i == 0 || t.below == lv_[size_t(i - 1)].version);
    }
    Did did = Did::Copied;
    redrawn_from_ = -1;
    if (content_same && same_view(top.view, view)) {
        did = Did::Copied;
    } else if (content_same && moving) {
        did = Did::Transformed;
    } else {
        did = Did::Redrew;
        for (int i = 0; i < kLevels; ++i) {
            Target& t = lv_[size_t(i)];
            if (level_current(i, view, fb_w, fb_h, s, levels)) continue;
            if (!ensure(t, fb_w, fb_h)) { // no offscreen texture (out of memory): straight onto the window
                glBindFramebuffer(GL_FRAMEBUFFER, GLuint(screen));
                for (const Level& l : levels)
                    l.draw();
                for (Target& x : lv_)
                    x.valid = false;
                stale_view_ = false;
                redrawn_from_ = 0;
                return last_ = Did::Redrew;
            }
            if (redrawn_from_ < 0) redrawn_from_ = i;
            glDisable(GL_SCISSOR_TEST);
            if (i > 0) blit(lv_[size_t(i - 1)].fbo, t.fbo, 0, 0, fb_w, fb_h, 0, 0, fb_w, fb_h, GL_NEAREST);
            glBindFramebuffer(GL_FRAMEBUFFER, t.fbo);
            levels[size_t(i)].draw();
            t.valid = true;
            t.key = levels[size_t(i)].key;
            t.view = view;
            t.s = s;
            t.below = i > 0 ? lv_[size_t(i - 1)].version : 0;
            t.version = ++versions_;
        }
    }
    glDisable(GL_SCISSOR_TEST);
    // The whole framebuffer first: the background around the canvas (the sidebar shows through
    // ImGui's translucent window) and, unless transformed, the map itself.
    blit(top.fbo, GLuint(screen), 0, 0, fb_w, fb_h, 0, 0, fb_w, fb_h, GL_NEAREST);
    if (did == Did::Transformed) {
        const ViewTransform& from = top.view;
        const int cx0 = int(std::lround(view.vx * s)), cx1 = int(std::lround((view.vx + view.vw) * s));
        const int cy0 = fb_h - int(std::lround((view.vy + view.vh) * s)),
                  cy1 = fb_h - int(std::lround(view.vy * s));
        glBindFramebuffer(GL_FRAMEBUFFER, GLuint(screen));
        glEnable(GL_SCISSOR_TEST);
        glScissor(cx0, cy0, cx1 - cx0, cy1 - cy0);
        glClearColor(sea[0], sea[1], sea[2], 1.f);
        glClear(GL_COLOR_BUFFER_BIT);
        const ScreenRect r = cached_canvas_on(from, view);
        const int sx0 = int(std::lround(from.vx * s)), sx1 = int(std::lround((from.vx + from.vw) * s));
        const int sy0 = fb_h - int(std::lround((from.vy + from.vh) * s)),
                  sy1 = fb_h - int(std::lround(from.vy * s));
        blit(top.fbo, GLuint(screen), sx0, sy0, sx1, sy1, int(std::lround(r.x0 * s)),
             fb_h - int(std::lround(r.y1 * s)), int(std::lround(r.x1 * s)), fb_h - int(std::lround(r.y0 * s)),
             GL_LINEAR);
        glDisable(GL_SCISSOR_TEST);
    }
    glBindFramebuffer(GL_FRAMEBUFFER, GLuint(screen));
    stale_view_ = did == Did::Transformed;
    if (did == Did::Transformed) ++versions_; // the window's picture changed without a level
    return last_ = did;
}

bool MapCache::present_window(const ViewTransform& view, int fb_w, int fb_h, double s,
                              const std::array<Level, kLevels>& levels, bool moving, uint64_t ui_hash,
                              const std::function<void()>& draw_ui) {
    GLint screen = 0;
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &screen);
    glDisable(GL_SCISSOR_TEST);
    if (window_.valid && window_.w == fb_w && window_.h == fb_h && window_.key == ui_hash &&
        window_.below == versions_ && level_current(kLevels - 1, view, fb_w, fb_h, s, levels)) {
        blit(window_.fbo, GLuint(screen), 0, 0, fb_w, fb_h, 0, 0, fb_w, fb_h, GL_NEAREST);
        glBindFramebuffer(GL_FRAMEBUFFER, GLuint(screen));
        last_ = Did::Copied;
        redrawn_from_ = -1;
        return true;
    }
    if (!ensure(window_, fb_w, fb_h)) { // no texture for the window: straight onto it
        glBindFramebuffer(GL_FRAMEBUFFER, GLuint(screen));
        present(view, fb_w, fb_h, s, levels, moving);
        draw_ui();
        return false;
    }
    glBindFramebuffer(GL_FRAMEBUFFER, window_.fbo);
    present(view, fb_w, fb_h, s, levels, moving);
    glBindFramebuffer(GL_FRAMEBUFFER, window_.fbo);
    draw_ui();
    glDisable(GL_SCISSOR_TEST);
    blit(window_.fbo, GLuint(screen), 0, 0, fb_w, fb_h, 0, 0, fb_w, fb_h, GL_NEAREST);
    glBindFramebuffer(GL_FRAMEBUFFER, GLuint(screen));
    window_.valid = !stale_view_;
    window_.key = ui_hash;
    window_.below = versions_;
    return false;
}

} // namespace nexusmap::viewer
