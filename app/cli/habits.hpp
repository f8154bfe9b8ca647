#pragma once
// GDAL-like command-line habits shared by every subcommand (issue #16): exit codes (0 success,
// 1 failure, 2 usage), "did you mean" for unknown commands and flags, --quiet, --progress and
// --json. The summary of every command goes to stdout; warnings and progress go to stderr.
#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace nexusmap::cli {

inline constexpr int kExitOk = 0, kExitFailure = 1, kExitUsage = 2;

struct Habits {
    bool quiet = false;    // --quiet: no summary, progress or warnings; errors only
    bool json = false;     // --json: the summary as one JSON object on stdout
    bool progress = false; // --progress: a progress bar on stderr even when it is not a terminal
};
Habits& habits();

// Reads --quiet/--json/--progress from argv before parsing (the commands run while CLI11 parses);
// stops at "--".
void scan_habit_flags(int argc, char** argv);
// Declares --quiet, --json, --progress on `cmd` and every named subcommand under it.
void add_habit_flags(CLI::App* cmd);

// The closest of `names` to `word` when it is close enough to be a likely typo, else "".
std::string closest_name(std::string_view word, const std::vector<std::string>& names);
// A usage error before CLI11 sees argv: an unknown subcommand (with a suggestion), or "" when fine.
std::string unknown_subcommand_message(CLI::App& app, int argc, char** argv);
// "did you mean" lines for the unknown --flags in argv (given the subcommand that was chosen).
std::string unknown_flag_hints(CLI::App& app, int argc, char** argv);

// While alive, stdout (and with --quiet stderr too) is redirected at the file-descriptor level, so
// printf, iostreams and GDAL's own messages all follow --quiet and --json. finish() restores the
// streams and, with --json, prints the captured summary as a JSON object.
class OutputCapture {
  public:
    explicit OutputCapture(bool active = true); // inactive: does nothing (nested commands)
    ~OutputCapture();
    OutputCapture(const OutputCapture&) = delete;
    OutputCapture& operator=(const OutputCapture&) = delete;
    // Restores stdout/stderr; with --json prints {"command", "status", "exit_code", "outputs",
    // "summary", "lines", extra fields, "error"} on stdout.
    void finish(const std::string& command, int exit_code, const std::string& error = {});

  private:
    int saved_out_ = -1, saved_err_ = -1;
    std::FILE* capture_ = nullptr;
    bool done_ = false;
};

// The file descriptor of the process's real stdout, also while a capture is active (for a data
// stream written to `-`).
int real_stdout_fd();

// --json: a field a command adds to its JSON summary (`raw_json` must be valid JSON).
void json_field(const std::string& key, const std::string& raw_json);
// A JSON string literal for `s` (quotes and escapes; bytes that are not valid UTF-8 replaced).
std::string json_quote(std::string_view s);

// Ends an open progress line on stderr (a summary never runs into it).
void end_progress_line();
void set_progress_line_open(bool open);

} // namespace nexusmap::cli
