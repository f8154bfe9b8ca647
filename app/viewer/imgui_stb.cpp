// Stopgap for the build files (not owned by the viewer): Debian's libimgui.a is compiled against
// libstb-dev's stb_truetype/stb_rect_pack (imgui.pc says `Requires: stb`) but the imgui::imgui
// target in cmake/thirdparty.cmake does not link -lstb, so the font atlas symbols are missing.
// Until thirdparty.cmake links stb (then delete this file), compile the two implementations here.
#ifndef NEXUSMAP_IMGUI_LINKS_STB
#define STB_RECT_PACK_IMPLEMENTATION
#include <stb/stb_rect_pack.h>
#define STB_TRUETYPE_IMPLEMENTATION
#include <stb/stb_truetype.h>
#endif

namespace nexusmap::viewer {
// Referenced from run() so the linker takes this object out of the static viewer library
// before it reaches libimgui.a (archives are scanned once, left to right).
void link_imgui_stb() {}
} // namespace nexusmap::viewer
