#pragma once
// RAII owners of GL objects (move-only). Each must be created and destroyed with a current context.
#include <cstddef>
#include <utility>

#include "gl/gl.hpp"

namespace nexusmap::gl {

template <void (*Delete)(GLuint)> class Handle {
  public:
    Handle() = default;
    explicit Handle(GLuint id) : id_(id) {}
    ~Handle() { reset(); }
    Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, 0)) {}
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = std::exchange(o.id_, 0);
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    GLuint id() const { return id_; }
    explicit operator bool() const { return id_ != 0; }
    void reset() {
        if (id_) Delete(id_);
        id_ = 0;
    }

  private:
    GLuint id_ = 0;
};

namespace detail {
inline void del_buffer(GLuint id) {
    glDeleteBuffers(1, &id);
}
inline void del_vao(GLuint id) {
    glDeleteVertexArrays(1, &id);
}
inline void del_texture(GLuint id) {
    glDeleteTextures(1, &id);
}
inline void del_fbo(GLuint id) {
    glDeleteFramebuffers(1, &id);
}
} // namespace detail

class Buffer : public Handle<detail::del_buffer> {
  public:
    static Buffer create() {
        GLuint id = 0;
        glGenBuffers(1, &id);
        return Buffer(id);
    }
    // Uploads `bytes` to `target` (GL_ARRAY_BUFFER, GL_ELEMENT_ARRAY_BUFFER, GL_TEXTURE_BUFFER).
    void upload(GLenum target, const void* data, size_t bytes, GLenum usage = GL_STATIC_DRAW) {
        glBindBuffer(target, id());
        glBufferData(target, static_cast<GLsizeiptr>(bytes), data, usage);
    }

  private:
    using Handle::Handle;
};

class VertexArray : public Handle<detail::del_vao> {
  public:
    static VertexArray create() {
        GLuint id = 0;
        glGenVertexArrays(1, &id);
        return VertexArray(id);
    }
    void bind() const { glBindVertexArray(id()); }
    // Float attribute `loc` with `n` components at `offset` floats within a `stride`-float record.
    static void float_attr(GLuint loc, int n, int stride_floats, int offset_floats, GLuint divisor = 0) {
        glEnableVertexAttribArray(loc);
        glVertexAttribPointer(loc, n, GL_FLOAT, GL_FALSE, stride_floats * int(sizeof(float)),
                              reinterpret_cast<const void*>(size_t(offset_floats) * sizeof(float)));
        glVertexAttribDivisor(loc, divisor);
    }

  private:
    using Handle::Handle;
};

class Texture : public Handle<detail::del_texture> {
  public:
    static Texture create() {
        GLuint id = 0;
        glGenTextures(1, &id);
        return Texture(id);
    }

  private:
    using Handle::Handle;
};

class Framebuffer : public Handle<detail::del_fbo> {
  public:
    static Framebuffer create() {
        GLuint id = 0;
        glGenFramebuffers(1, &id);
        return Framebuffer(id);
    }

  private:
    using Handle::Handle;
};

} // namespace nexusmap::gl
