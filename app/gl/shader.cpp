#include "gl/shader.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

namespace nexusmap::gl {

namespace fs = std::filesystem;

std::string drain_errors() {
    std::string out;
    for (int guard = 0; guard < 32; ++guard) {
        const GLenum e = glGetError();
        if (e == GL_NO_ERROR) break;
        if (!out.empty()) out += ", ";
        switch (e) {
        case GL_INVALID_ENUM:
            out += "GL_INVALID_ENUM";
            break;
        case GL_INVALID_VALUE:
            out += "GL_INVALID_VALUE";
            break;
        case GL_INVALID_OPERATION:
            out += "GL_INVALID_OPERATION";
            break;
        case GL_OUT_OF_MEMORY:
            out += "GL_OUT_OF_MEMORY";
            break;
        case GL_INVALID_FRAMEBUFFER_OPERATION:
            out += "GL_INVALID_FRAMEBUFFER_OPERATION";
            break;
        default:
            out += "GL error " + std::to_string(e);
        }
    }
    return out;
}

std::string shader_dir() {
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("NEXUSMAP_SHADER_DIR")) candidates.emplace_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back(exe.parent_path().parent_path() / "share/nexusmap/shaders");
#ifdef NEXUSMAP_SOURCE_DIR
    candidates.push_back(fs::path(NEXUSMAP_SOURCE_DIR) / "shaders");
#endif
    for (const auto& c : candidates)
        if (fs::exists(c / "map_fill.vert", ec)) return c.string();
    return {};
}

namespace {
std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read shader " + p.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

GLuint compile(GLenum type, const std::string& src, const std::string& name) {
    GLuint s = glCreateShader(type);
    const char* p = src.c_str();
    glShaderSource(s, 1, &p, nullptr);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        GLint len = 0;
        glGetShaderiv(s, GL_INFO_LOG_LENGTH, &len);
        std::string log(size_t(std::max(len, 1)), '\0');
        glGetShaderInfoLog(s, len, nullptr, log.data());
        glDeleteShader(s);
        throw std::runtime_error("shader " + name + " failed to compile:\n" + log);
    }
    return s;
}
} // namespace

Program::~Program() {
    if (id_) glDeleteProgram(id_);
}
Program::Program(Program&& o) noexcept : id_(std::exchange(o.id_, 0)), locs_(std::move(o.locs_)) {}
Program& Program::operator=(Program&& o) noexcept {
    if (this != &o) {
        if (id_) glDeleteProgram(id_);
        id_ = std::exchange(o.id_, 0);
        locs_ = std::move(o.locs_);
    }
    return *this;
}

Program Program::load(const std::string& name) {
    const std::string dir = shader_dir();
    if (dir.empty())
        throw std::runtime_error(
            "shaders not found: set NEXUSMAP_SHADER_DIR to the repository's shaders/ folder");
    const fs::path base = fs::path(dir) / name;
    return from_source(name, read_text(base.string() + ".vert"), read_text(base.string() + ".frag"));
}

Program Program::from_source(const std::string& name, const std::string& vert, const std::string& frag) {
    const GLuint vs = compile(GL_VERTEX_SHADER, vert, name + ".vert");
    GLuint fs_ = 0;
    try {
        fs_ = compile(GL_FRAGMENT_SHADER, frag, name + ".frag");
    } catch (...) {
        glDeleteShader(vs);
        throw;
    }
    Program p;
    p.id_ = glCreateProgram();
    glAttachShader(p.id_, vs);
    glAttachShader(p.id_, fs_);
    glLinkProgram(p.id_);
    glDeleteShader(vs);
    glDeleteShader(fs_);
    GLint ok = 0;
    glGetProgramiv(p.id_, GL_LINK_STATUS, &ok);
    if (!ok) {
        GLint len = 0;
        glGetProgramiv(p.id_, GL_INFO_LOG_LENGTH, &len);
        std::string log(size_t(std::max(len, 1)), '\0');
        glGetProgramInfoLog(p.id_, len, nullptr, log.data());
        throw std::runtime_error("program " + name + " failed to link:\n" + log);
    }
    return p;
}

GLint Program::loc(const char* uniform) const {
    auto it = locs_.find(uniform);
    if (it != locs_.end()) return it->second;
    const GLint l = glGetUniformLocation(id_, uniform);
    locs_.emplace(uniform, l);
    return l;
}

} // namespace nexusmap::gl
