#pragma once
// One place that includes OpenGL. GL 3.3 core entry points are called directly through the
// <GL/glext.h> prototypes (GL_GLEXT_PROTOTYPES): the build links glvnd's libOpenGL, which
// exports every core function up to GL 4.6 and dispatches to the current context's driver, so
// no loader (glad/glew/glfwGetProcAddress) is needed. See docs/viewer.md.
#ifndef GL_GLEXT_PROTOTYPES
#define GL_GLEXT_PROTOTYPES 1
#endif
#include <GL/gl.h>
#include <GL/glext.h>

#include <string>

namespace nexusmap::gl {

// Drains glGetError(); returns "" when clean, else a list like "GL_INVALID_OPERATION (x2)".
std::string drain_errors();

} // namespace nexusmap::gl
