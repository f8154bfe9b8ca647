#pragma once
// GLSL programs loaded from the shaders/ folder, with cached uniform locations.
#include <string>
#include <unordered_map>

#include "gl/gl.hpp"

namespace nexusmap::gl {

// Folder holding the .vert/.frag files: $NEXUSMAP_SHADER_DIR, else <exe>/../share/nexusmap/shaders,
// else the source tree's shaders/ (compiled in). Empty if none exists.
std::string shader_dir();

class Program {
  public:
    Program() = default;
    ~Program();
    Program(Program&& o) noexcept;
    Program& operator=(Program&& o) noexcept;
    Program(const Program&) = delete;
    Program& operator=(const Program&) = delete;

    // Compiles <dir>/<name>.vert and <dir>/<name>.frag. Throws std::runtime_error with the
    // driver's log (file name and line) on failure.
    static Program load(const std::string& name);
    static Program from_source(const std::string& name, const std::string& vert, const std::string& frag);

    GLuint id() const { return id_; }
    void use() const { glUseProgram(id_); }
    GLint loc(const char* uniform) const;

    void set(const char* u, int v) const { glUniform1i(loc(u), v); }
    void set(const char* u, float v) const { glUniform1f(loc(u), v); }
    void set(const char* u, float a, float b) const { glUniform2f(loc(u), a, b); }
    void set(const char* u, float a, float b, float c) const { glUniform3f(loc(u), a, b, c); }
    void set(const char* u, float a, float b, float c, float d) const { glUniform4f(loc(u), a, b, c, d); }

  private:
    GLuint id_ = 0;
    mutable std::unordered_map<std::string, GLint> locs_;
};

} // namespace nexusmap::gl
