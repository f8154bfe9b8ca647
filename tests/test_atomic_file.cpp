// Output safety (issue #19, data loss): inputs never overwritten whatever names them, no-replace
// commits without --force (races), and all-or-nothing output sets with rollback.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"
#include "test_util.hpp"

using namespace nexusmap;
namespace fs = std::filesystem;

namespace {
using testutil::slurp;
size_t files_in(const fs::path& dir) {
    size_t n = 0;
    for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++n;
    return n;
}
} // namespace

TEST_CASE("input overwritten through FILE:LAYER is refused before any work") {
    auto dir = testutil::tmpdir("atomic_layer_spec");
    const fs::path gpkg = dir / "wa.gpkg";
    fs::copy_file(fs::path(NEXUSMAP_SOURCE_DIR) / "data/basemap/west_africa.gpkg", gpkg);
    const std::string before = slurp(gpkg);
    // The spec string differs from the output path; the file behind it is the same.
    CHECK_THROWS_WITH_AS(check_output_path(gpkg.string(), true, {gpkg.string() + ":admin0"}),
                         doctest::Contains("is one of the inputs"), GeoError);
    CHECK_THROWS_WITH_AS(check_output_path(gpkg.string(), true, {"layer:" + gpkg.string() + ":admin0"}),
                         doctest::Contains("is one of the inputs"), GeoError);
    // Another name for the same file (a symbolic link) is caught too.
    fs::create_symlink(gpkg, dir / "link.gpkg");
    CHECK_THROWS_AS(check_output_path((dir / "link.gpkg").string(), true, {gpkg.string() + ":admin1"}), GeoError);
    CHECK(slurp(gpkg) == before);
    // A different existing file is fine with overwrite, refused without.
    write_text_atomic((dir / "other.tif").string(), "x");
    CHECK_NOTHROW(check_output_path((dir / "other.tif").string(), true, {gpkg.string() + ":admin0"}));
    CHECK_THROWS_WITH_AS(check_output_path((dir / "other.tif").string(), false, {}), doctest::Contains("--force"),
                         GeoError);
}

TEST_CASE("every file a loader opened is protected, even when the front end forgot to list it") {
    clear_inputs();
    auto dir = testutil::tmpdir("atomic_loaded");
    const fs::path csv = dir / "ev.csv";
    write_text_atomic(csv.string(), "latitude,longitude,event_date\n12,1,2020-01-01\n13,2,2020-02-01\n");
    const fs::path gpkg = dir / "wa.gpkg";
    fs::copy_file(fs::path(NEXUSMAP_SOURCE_DIR) / "data/basemap/west_africa.gpkg", gpkg);
    const std::string csv_before = slurp(csv), gpkg_before = slurp(gpkg);
    load_events(csv.string());
    ReadLayerOptions ro;
    ro.layer = "admin0";
    read_layer(gpkg.string(), ro);
    CHECK(input_named_by(csv.string()) == csv.string());
    CHECK_THROWS_WITH_AS(write_text_atomic(csv.string(), "oops"), doctest::Contains("is one of the inputs"), GeoError);
    CHECK_THROWS_WITH_AS(write_text_atomic(gpkg.string(), "oops"), doctest::Contains("is one of the inputs"),
                         GeoError);
    CHECK(slurp(csv) == csv_before);
    CHECK(slurp(gpkg) == gpkg_before);
    CHECK(files_in(dir) == 2); // no temp files left
    clear_inputs();
    CHECK(input_named_by(csv.string()).empty());
}

TEST_CASE("outputs that are devices or folders are refused, never renamed over") {
    auto dir = testutil::tmpdir("atomic_devices");
    CHECK_THROWS_WITH_AS(write_text_atomic("/dev/null", "x"), doctest::Contains("device"), GeoError);
    const fs::path fifo = dir / "pipe";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_THROWS_WITH_AS(write_text_atomic(fifo.string(), "x"), doctest::Contains("device, FIFO"), GeoError);
    CHECK(fs::is_fifo(fifo));
    fs::create_directory(dir / "sub");
    CHECK_THROWS_WITH_AS(write_text_atomic((dir / "sub").string(), "x"), doctest::Contains("folder"), GeoError);
}

TEST_CASE("output paths are checked before any work: devices, /dev/stdout, FIFOs, folders, missing folders") {
    auto dir = testutil::tmpdir("atomic_early");
    // With overwrite (--force) too: the check is about what the path is, not whether it exists.
    CHECK_THROWS_WITH_AS(check_output_path("/dev/null", true), doctest::Contains("device"), GeoError);
    // /dev/stdout is a link into /proc: refused even when stdout is a regular file (a rename would
    // replace the link itself), and it stays a link.
    CHECK_THROWS_WITH_AS(check_output_path("/dev/stdout", true), doctest::Contains("device or system path"), GeoError);
    CHECK_THROWS_WITH_AS(write_text_atomic("/dev/stdout", "x", true), doctest::Contains("device or system path"), GeoError);
    CHECK(fs::is_symlink(fs::symlink_status("/dev/stdout")));
    CHECK_THROWS_AS(check_output_path("/proc/self/fd/1", true), GeoError);
    // A link in a normal folder that points at /dev/stdout.
    fs::create_symlink("/dev/stdout", dir / "out.csv");
    CHECK_THROWS_WITH_AS(check_output_path((dir / "out.csv").string(), true), doctest::Contains("device or system path"), GeoError);
    const fs::path fifo = dir / "pipe";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_THROWS_WITH_AS(check_output_path(fifo.string(), true), doctest::Contains("FIFO"), GeoError);
    fs::create_directory(dir / "sub");
    CHECK_THROWS_WITH_AS(check_output_path((dir / "sub").string(), true), doctest::Contains("folder"), GeoError);
    // A new file in a folder that does not exist: refused up front (not after the analysis).
    CHECK_THROWS_WITH_AS(check_output_path((dir / "no" / "such" / "x.tif").string(), true),
                         doctest::Contains("output folder"), GeoError);
    fs::create_directories(dir / "file_parent");
    { std::ofstream(dir / "plain") << "x"; }
    CHECK_THROWS_WITH_AS(check_output_path((dir / "plain" / "x.tif").string(), true), doctest::Contains("not a folder"), GeoError);
    // A new file in an existing folder, and a relative name in the current folder, pass.
    CHECK_NOTHROW(check_output_path((dir / "new.tif").string(), false));
    CHECK_NOTHROW(check_output_path("nexusmap_no_such_file_here.tif", false));
}

TEST_CASE("--force race: without overwrite only one of two writers of a new name wins") {
    auto dir = testutil::tmpdir("atomic_race");
    const std::string target = (dir / "race.tif").string();
    // Both pass the existence check (the name is free), then both commit: the second must fail.
    AtomicFile a(target, false), b(target, false);
    std::ofstream(a.temp_path()) << "first";
    std::ofstream(b.temp_path()) << "second";
    a.commit();
    CHECK_THROWS_WITH_AS(b.commit(), doctest::Contains("exists already"), GeoError);
    CHECK(slurp(target) == "first");
    // With overwrite the later one replaces it (that is what --force asks for).
    AtomicFile c(target, true);
    std::ofstream(c.temp_path()) << "third";
    c.commit();
    CHECK(slurp(target) == "third");
}

TEST_CASE("--force race between processes: exactly one of four forked writers succeeds") {
    auto dir = testutil::tmpdir("atomic_race_procs");
    const std::string target = (dir / "race.txt").string();
    std::vector<pid_t> kids;
    for (int k = 0; k < 4; ++k) {
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            int rc = 0;
            try {
                AtomicFile f(target, false);
                std::ofstream(f.temp_path()) << "writer " << k;
                ::usleep(50000); // all four hold a temp file before any commits
                f.commit();
            } catch (...) {
                rc = 1;
            }
            ::_exit(rc);
        }
        kids.push_back(pid);
    }
    int ok = 0;
    for (pid_t pid : kids) {
        int st = 0;
        ::waitpid(pid, &st, 0);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) ++ok;
    }
    CHECK(ok == 1);
    CHECK(slurp(target).rfind("writer ", 0) == 0);
    CHECK(files_in(dir) == 1);
}

TEST_CASE("output set: nothing appears before commit, and an abandoned set leaves the old files") {
    auto dir = testutil::tmpdir("atomic_set_abandon");
    const fs::path a = dir / "a.csv", b = dir / "b.geojson";
    write_text_atomic(a.string(), "old a");
    {
        OutputSet set(true);
        write_text_atomic(a.string(), "new a");
        write_text_atomic(b.string(), "new b");
        CHECK(set.staged() == 2);
        CHECK(slurp(a) == "old a"); // staged, not in place
        CHECK_FALSE(fs::exists(b));
        // A failure here (say the third file hits a full disk) abandons the set.
    }
    CHECK(slurp(a) == "old a");
    CHECK_FALSE(fs::exists(b));
    CHECK(files_in(dir) == 1);
    {
        OutputSet set(true);
        write_text_atomic(a.string(), "new a");
        write_text_atomic(b.string(), "new b");
        set.commit();
    }
    CHECK(slurp(a) == "new a");
    CHECK(slurp(b) == "new b");
    CHECK(files_in(dir) == 2);
}

TEST_CASE("output set: a move that fails at commit rolls back the files already moved") {
    auto dir = testutil::tmpdir("atomic_set_rollback");
    const fs::path a = dir / "a.csv", b = dir / "b.csv", c = dir / "c.csv";
    write_text_atomic(a.string(), "old a");
    {
        OutputSet set(true);
        write_text_atomic(a.string(), "new a");
        write_text_atomic(b.string(), "new b");
        write_text_atomic(c.string(), "new c");
        // Something takes c's name meanwhile with a non-empty folder: rename() cannot replace it.
        fs::create_directories(c / "x");
        CHECK_THROWS_AS(set.commit(), GeoError);
    }
    CHECK(slurp(a) == "old a"); // restored
    CHECK_FALSE(fs::exists(b)); // removed
    CHECK(fs::is_directory(c));
    CHECK(files_in(dir) == 2); // a and the folder c: no temp or backup files
}

TEST_CASE("output set without overwrite: an existing file fails the whole set") {
    auto dir = testutil::tmpdir("atomic_set_noreplace");
    const fs::path a = dir / "a.csv", b = dir / "b.csv";
    write_text_atomic(b.string(), "old b");
    OutputSet set(false);
    write_text_atomic(a.string(), "new a"); // asks for overwrite, but the set says no
    CHECK_THROWS_WITH_AS(write_text_atomic(b.string(), "new b"), doctest::Contains("--force"), GeoError);
    // Another process creates a.csv before the commit: the set fails as a whole.
    std::ofstream(a) << "x";
    CHECK_THROWS_WITH_AS(set.commit(), doctest::Contains("exists already"), GeoError);
    CHECK(slurp(a) == "x");
    CHECK(slurp(b) == "old b");
    CHECK(files_in(dir) == 2);
}

TEST_CASE("output sets join: an inner set commits only with the outer one") {
    auto dir = testutil::tmpdir("atomic_set_join");
    const fs::path a = dir / "a.txt", b = dir / "b.txt";
    {
        OutputSet outer(true);
        write_text_atomic(a.string(), "a");
        {
            OutputSet inner(true);
            write_text_atomic(b.string(), "b");
            inner.commit(); // joined: no-op
        }
        CHECK_FALSE(fs::exists(b));
        CHECK(outer.staged() == 2);
    } // outer abandoned
    CHECK(files_in(dir) == 0);
}
