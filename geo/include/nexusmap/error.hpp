#pragma once
#include <stdexcept>
#include <string>

namespace nexusmap {

// Every user-facing failure: says which file, where in it (line, feature) and what was wrong.
struct GeoError : std::runtime_error {
    GeoError(const std::string& file, const std::string& where, const std::string& what)
        : std::runtime_error(compose(file, where, what)), file(file), where(where), what_(what) {}
    explicit GeoError(const std::string& what) : std::runtime_error(what), what_(what) {}
    std::string file, where, what_;

  private:
    static std::string compose(const std::string& f, const std::string& w, const std::string& m) {
        std::string s = f;
        if (!w.empty()) s += (s.empty() ? "" : ": ") + w;
        if (!s.empty()) s += ": ";
        return s + m;
    }
};

} // namespace nexusmap
