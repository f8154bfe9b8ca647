#pragma once
// Country names as users and data sources spell them (issue #16): ISO 3166 alpha-3 codes, English
// and French names, UCDP/ACLED spellings ("Ivory Coast", "Côte d'Ivoire", "Cote d'Ivoire", "CIV"),
// matched without regard to case, accents or punctuation. The table is data/countries/countries.csv
// (derived from Natural Earth admin-0, public domain; see make_countries.py there).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nexusmap {

// Levenshtein distance in bytes (for "did you mean" suggestions).
size_t edit_distance(std::string_view a, std::string_view b);

// Lower case, Latin accents removed (UTF-8 é -> e, ô -> o, ç -> c, ...), every run of other
// characters (spaces, apostrophes ' and ’, hyphens, dots, commas) one space, a leading "the "
// dropped: "Côte d’Ivoire" and "cote d'ivoire" both give "cote d ivoire".
std::string normalize_name(std::string_view s);

struct Country {
    std::string iso3, name_en, name_fr;
    std::vector<std::string> names; // every accepted spelling (the ISO code is accepted too)
};

class CountryTable {
  public:
    // Reads the CSV (iso3,name_en,name_fr,names,added; names separated by '|'); GeoError naming the
    // file and line when it is malformed.
    static CountryTable load(const std::string& path);
    // From CSV text (tests).
    static CountryTable parse(std::string_view csv, const std::string& name = "countries.csv");
    // The ISO alpha-3 code for any accepted spelling, or nullopt.
    std::optional<std::string> iso3(std::string_view name) const;
    const Country* find(std::string_view iso3) const;
    // The closest accepted spelling to `name` when it is a likely typo, else "".
    std::string suggest(std::string_view name) const;
    const std::vector<Country>& countries() const { return countries_; }

  private:
    std::vector<Country> countries_;
    std::vector<std::pair<std::string, size_t>> index_; // normalized spelling -> country
};

// For each of `data_names` (an event table's country names, as spelled in the data), whether it is
// one of `wanted` (any spelling of the table; a name outside the table matches the same name in the
// data, normalized). Throws GeoError for a wanted name that is neither in the table nor in the data,
// with a "did you mean" when one is close.
std::vector<bool> match_countries(const std::vector<std::string>& data_names, const std::vector<std::string>& wanted,
                                  const CountryTable& table);

} // namespace nexusmap
