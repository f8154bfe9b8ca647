// The `nexusmap` a user runs: answers `--version` itself and otherwise replaces itself (execv) with
// nexusmap-app beside it, which holds the CLI and the viewer. nexusmap-app links GDAL, whose ~130
// shared libraries the dynamic loader maps and binds before main() (~70-100 ms, issue #17); this
// program links only libc, so `nexusmap --version` costs about a millisecond. The exec keeps the
// process id, argv (argv[0] included) and environment, so signals, exit codes and messages are
// those of nexusmap-app itself.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "nexusmap/version.hpp"

int main(int argc, char** argv) {
    if (argc == 2 && std::strcmp(argv[1], "--version") == 0) { // the text CLI11's version flag prints
        std::printf("nexusmap %s\n", nexusmap::kVersion);
        return std::fflush(stdout) == 0 && !std::ferror(stdout) ? 0 : 1;
    }
    char path[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
    if (n <= 0) {
        std::fprintf(stderr, "nexusmap: error: cannot find the program's folder (/proc/self/exe: %s)\n", std::strerror(errno));
        return 127;
    }
    path[n] = '\0';
    // Rasters of millions of cells are fresh allocations: in 4 KiB pages each first touch is a page
    // fault (a third of a 1 km density's CPU time on a VM); glibc's malloc asks for transparent
    // huge pages on them with this tunable (glibc >= 2.35; older ones ignore it). A user's own
    // GLIBC_TUNABLES is left as it is.
    if (!std::getenv("GLIBC_TUNABLES")) setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 0);
    char* slash = std::strrchr(path, '/');
    std::strcpy(slash ? slash + 1 : path, "nexusmap-app");
    execv(path, argv);
    std::fprintf(stderr, "nexusmap: error: cannot start %s: %s (it is built and installed beside nexusmap)\n", path,
                 std::strerror(errno));
    return 127;
}
