#include "cli/habits.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "nexusmap/countries.hpp" // edit_distance

namespace nexusmap::cli {

namespace {
bool g_line_open = false;
int g_real_stdout = -1;
std::vector<std::pair<std::string, std::string>> g_json_fields;

bool is_group(const CLI::App* a) { return a->get_name().empty(); } // option groups are unnamed apps

// Named subcommands of `a` (option groups left out).
std::vector<CLI::App*> named_subs(CLI::App* a) {
    return a->get_subcommands([](CLI::App* s) { return !is_group(s); });
}

void collect_long_names(CLI::App* a, std::vector<std::string>& out, bool with_hidden) {
    for (const CLI::Option* o : a->get_options())
        if (with_hidden || !o->get_group().empty())
            for (const auto& n : o->get_lnames()) out.push_back("--" + n);
    for (CLI::App* g : a->get_subcommands([](CLI::App* s) { return is_group(s); })) collect_long_names(g, out, with_hidden);
}

// The subcommand argv names (walking nested ones such as `chart front`); `i` ends at the first
// token that is not a subcommand name.
CLI::App* chosen(CLI::App& app, int argc, char** argv, int& i) {
    CLI::App* cur = &app;
    for (i = 1; i < argc && argv[i][0] != '-';) {
        CLI::App* next = nullptr;
        for (CLI::App* s : named_subs(cur))
            if (s->check_name(argv[i])) next = s;
        if (!next) break;
        cur = next, ++i;
    }
    return cur;
}
} // namespace

Habits& habits() {
    static Habits h;
    return h;
}

void scan_habit_flags(int argc, char** argv) {
    Habits& h = habits();
    h = {};
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--") break;
        if (a == "--quiet" || a == "-q") h.quiet = true;
        else if (a == "--json") h.json = true;
        else if (a == "--progress") h.progress = true;
    }
}

void add_habit_flags(CLI::App* cmd) {
    for (CLI::App* s : named_subs(cmd)) {
        // Read by scan_habit_flags(); declared here so that CLI11 accepts them and --help lists them.
        s->add_flag("-q,--quiet")->description(std::string("Print nothing but errors (no summary, progress or warnings)"))->group("Output habits");
        s->add_flag("--json")->description(std::string("Print the summary as one JSON object on stdout"))->group("Output habits");
        s->add_flag("--progress")->description(std::string("Show a progress bar on stderr even when it is not a terminal (default: only on a "
                                  "terminal; NEXUSMAP_PROGRESS=1/0 forces it on/off)"))
            ->group("Output habits");
        add_habit_flags(s);
    }
}

std::string closest_name(std::string_view word, const std::vector<std::string>& names) {
    std::string best;
    size_t bd = SIZE_MAX;
    for (const auto& n : names) {
        size_t d = edit_distance(word, n);
        // A prefix ("--bandwidth" for "--bandwidth-km") counts as close.
        if (n.size() > word.size() && n.compare(0, word.size(), word) == 0 && word.size() >= 4) d = std::min<size_t>(d, 1);
        if (d < bd) bd = d, best = n;
    }
    const size_t limit = std::max<size_t>(2, word.size() / 3);
    return bd <= limit ? best : std::string();
}

std::string unknown_subcommand_message(CLI::App& app, int argc, char** argv) {
    int i = 1;
    CLI::App* cur = chosen(app, argc, argv, i);
    if (i >= argc || argv[i][0] == '-') return {};
    const auto subs = named_subs(cur);
    if (subs.empty() || (cur != &app && cur->get_require_subcommand_min() == 0)) return {};
    std::vector<std::string> names;
    for (CLI::App* s : subs) names.push_back(s->get_name());
    const std::string where = cur == &app ? "" : " " + cur->get_name();
    std::string m = "unknown command '" + std::string(argv[i]) + "'";
    if (const std::string c = closest_name(argv[i], names); !c.empty())
        m += "; did you mean 'nexusmap" + where + " " + c + "'?";
    else {
        m += "; commands:";
        for (auto& n : names) m += " " + n;
    }
    return m;
}

std::string unknown_flag_hints(CLI::App& app, int argc, char** argv) {
    int i = 1;
    CLI::App* cur = chosen(app, argc, argv, i);
    std::vector<std::string> all, shown;
    collect_long_names(cur, all, true);
    collect_long_names(cur, shown, false);
    std::string out;
    for (int k = 1; k < argc; ++k) {
        std::string a = argv[k];
        if (a == "--") break;
        if (a.size() < 3 || a.compare(0, 2, "--") != 0) continue;
        if (const auto eq = a.find('='); eq != std::string::npos) a.resize(eq);
        if (std::find(all.begin(), all.end(), a) != all.end()) continue;
        out += "unknown option " + a;
        if (const std::string c = closest_name(a, shown); !c.empty()) out += "; did you mean " + c + "?";
        out += "\n";
    }
    return out;
}

// ---- output capture -----------------------------------------------------------------------

int real_stdout_fd() { return g_real_stdout >= 0 ? g_real_stdout : 1; }

OutputCapture::OutputCapture(bool active) {
    if (!active) {
        done_ = true;
        return;
    }
    g_json_fields.clear();
    const Habits& h = habits();
    if (!h.quiet && !h.json) return;
    std::cout.flush();
    std::fflush(stdout);
    saved_out_ = ::dup(1);
    g_real_stdout = saved_out_;
    if (h.json) {
        capture_ = std::tmpfile();
        if (capture_) ::dup2(::fileno(capture_), 1);
    } else if (int dn = ::open("/dev/null", O_WRONLY); dn >= 0) {
        ::dup2(dn, 1);
        ::close(dn);
    }
    if (h.quiet) {
        std::cerr.flush();
        std::fflush(stderr);
        saved_err_ = ::dup(2);
        if (int dn = ::open("/dev/null", O_WRONLY); dn >= 0) {
            ::dup2(dn, 2);
            ::close(dn);
        }
    }
}

OutputCapture::~OutputCapture() {
    if (!done_) finish("", -1);
}

void OutputCapture::finish(const std::string& command, int exit_code, const std::string& error) {
    if (done_) return;
    done_ = true;
    std::cout.flush();
    std::fflush(stdout);
    std::cerr.flush();
    std::fflush(stderr);
    if (saved_out_ >= 0) ::dup2(saved_out_, 1), ::close(saved_out_);
    if (saved_err_ >= 0) ::dup2(saved_err_, 2), ::close(saved_err_);
    g_real_stdout = -1;
    std::string text;
    if (capture_) {
        std::rewind(capture_);
        char buf[65536];
        for (size_t n; (n = std::fread(buf, 1, sizeof buf, capture_)) > 0;) text.append(buf, n);
        std::fclose(capture_);
        capture_ = nullptr;
    }
    if (!habits().json || exit_code < 0) return;
    // The summary lines as they would have been printed, plus what can be read from them.
    nlohmann::ordered_json j;
    j["command"] = command;
    j["status"] = exit_code == 0 ? "ok" : exit_code == 130 ? "cancelled" : "error";
    j["exit_code"] = exit_code;
    nlohmann::ordered_json outputs = nlohmann::ordered_json::array(), summary = nlohmann::ordered_json::object(),
                           lines = nlohmann::ordered_json::array();
    size_t p = 0;
    while (p < text.size()) {
        size_t e = text.find('\n', p);
        if (e == std::string::npos) e = text.size();
        std::string line = text.substr(p, e - p);
        p = e + 1;
        if (line.empty()) continue;
        lines.push_back(line);
        if (line.rfind("wrote ", 0) == 0) {
            std::string f = line.substr(6);
            f = f.substr(0, std::min(f.find(" ("), f.find("  ")));
            outputs.push_back(f);
        } else if (line.rfind("  outputs in ", 0) == 0 || line.rfind("outputs in ", 0) == 0) {
            j["output_folder"] = line.substr(line.find("in ") + 3);
        } else if (const auto c = line.find(": "); c != std::string::npos && c > 0 && c <= 40 && line[0] != ' ' &&
                                                   line.find_first_of("/\\") > c) {
            summary[line.substr(0, c)] = line.substr(c + 2);
        }
    }
    j["outputs"] = outputs;
    j["summary"] = summary;
    j["lines"] = lines;
    for (auto& [k, v] : g_json_fields) j[k] = nlohmann::ordered_json::parse(v, nullptr, false);
    if (!error.empty()) j["error"] = error;
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    std::cout.flush();
}

void json_field(const std::string& key, const std::string& raw_json) {
    for (auto& f : g_json_fields)
        if (f.first == key) {
            f.second = raw_json;
            return;
        }
    g_json_fields.emplace_back(key, raw_json);
}

std::string json_quote(std::string_view s) {
    return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void end_progress_line() {
    if (g_line_open) {
        std::fputc('\n', stderr);
        std::fflush(stderr);
        g_line_open = false;
    }
}
void set_progress_line_open(bool open) { g_line_open = open; }

} // namespace nexusmap::cli
