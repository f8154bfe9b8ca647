// Country names (issue #16): ISO3, English, French, UCDP/ACLED spellings, accents and case ignored.
#include <doctest/doctest.h>

#include "nexusmap/countries.hpp"
#include "nexusmap/error.hpp"

using namespace nexusmap;

namespace {
const CountryTable& table() {
    static const CountryTable t = CountryTable::load(std::string(NEXUSMAP_SOURCE_DIR) + "/data/countries/countries.csv");
    return t;
}
} // namespace

TEST_CASE("edit distance against hand counts") {
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("abc", "") == 3);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("densty", "density") == 1);
    CHECK(edit_distance("ivroy coast", "ivory coast") == 2);
}

TEST_CASE("normalize_name: case, Latin accents, apostrophes and punctuation") {
    CHECK(normalize_name("Côte d'Ivoire") == "cote d ivoire");
    CHECK(normalize_name("Côte d\u2019Ivoire") == "cote d ivoire"); // typographic apostrophe
    CHECK(normalize_name("  COTE-D'IVOIRE ") == "cote d ivoire");
    CHECK(normalize_name("Bénin") == "benin");
    CHECK(normalize_name("Guinée équatoriale") == "guinee equatoriale");
    CHECK(normalize_name("Sénégal") == "senegal");
    CHECK(normalize_name("The Gambia") == "gambia");
    CHECK(normalize_name("ÀÉÎÕÜÇÑ") == "aeioucn");
    CHECK(normalize_name("") == "");
}

TEST_CASE("the bundled table: every spelling of the issue gives the same code") {
    const auto& t = table();
    REQUIRE(t.countries().size() >= 20);
    for (const char* s : {"CIV", "civ", "Côte d'Ivoire", "Cote d'Ivoire", "COTE D'IVOIRE", "Côte d\u2019Ivoire", "Ivory Coast",
                          "ivory coast", "Republic of Cote D'Ivoire"})
        CHECK_MESSAGE(t.iso3(s).value_or("") == "CIV", s);
    for (const char* s : {"BFA", "Burkina Faso", "burkina faso"}) CHECK_MESSAGE(t.iso3(s).value_or("") == "BFA", s);
    for (const char* s : {"BEN", "Benin", "Bénin", "BENIN"}) CHECK_MESSAGE(t.iso3(s).value_or("") == "BEN", s);
    CHECK(t.iso3("Gambia").value_or("") == "GMB");
    CHECK(t.iso3("The Gambia").value_or("") == "GMB");
    CHECK(t.iso3("Tchad").value_or("") == "TCD");
    CHECK(t.iso3("Nigéria").value_or("") == "NGA");
    CHECK(t.iso3("Guinée-Bissau").value_or("") == "GNB");
    // Guinea is GIN, not Guinea-Bissau or Equatorial Guinea.
    CHECK(t.iso3("Guinea").value_or("") == "GIN");
    CHECK(!t.iso3("Atlantis"));
    CHECK(!t.iso3(""));
    REQUIRE(t.find("CIV"));
    CHECK(t.find("CIV")->name_fr == "Côte d'Ivoire");
}

TEST_CASE("suggestions for misspelt countries, none for far-off names") {
    CHECK(table().suggest("Ivroy Coast") == "Côte d'Ivoire (CIV)");
    CHECK(table().suggest("Burkina Fasso") == "Burkina Faso (BFA)");
    CHECK(table().suggest("Senegall") == "Senegal (SEN)");
    CHECK(table().suggest("Kazakhstan").empty());
}

TEST_CASE("match_countries: data spelled one way, filter spelled another") {
    const std::vector<std::string> data = {"Ivory Coast", "Burkina Faso", "Bénin", "Narnia"};
    CHECK(match_countries(data, {"CIV"}, table()) == std::vector<bool>{true, false, false, false});
    CHECK(match_countries(data, {"Côte d'Ivoire", "benin"}, table()) == std::vector<bool>{true, false, true, false});
    // A name outside the table matches the same name in the data.
    CHECK(match_countries(data, {"NARNIA"}, table()) == std::vector<bool>{false, false, false, true});
    CHECK_THROWS_WITH_AS(match_countries(data, {"Ivroy Coast"}, table()), doctest::Contains("did you mean Côte d'Ivoire (CIV)"),
                         GeoError);
    CHECK_THROWS_WITH_AS(match_countries(data, {"Narnai"}, table()), doctest::Contains("did you mean Narnia"), GeoError);
    CHECK_THROWS_WITH_AS(match_countries(data, {"Zzzzzzzz"}, table()), doctest::Contains("unknown country"), GeoError);
}

TEST_CASE("a malformed table names the file and line") {
    CHECK_THROWS_WITH_AS(CountryTable::parse("a,b\n1,2\n", "t.csv"), doctest::Contains("t.csv"), GeoError);
    CHECK_THROWS_WITH_AS(CountryTable::parse("iso3,name_en,name_fr,names\nABCD,x,y,z\n", "t.csv"), doctest::Contains("line 2"),
                         GeoError);
    const CountryTable t = CountryTable::parse("iso3,name_en,name_fr,names\nXYZ,Ex,Ix,Ex|Other name\n");
    CHECK(t.iso3("other NAME").value_or("") == "XYZ");
    CHECK(t.iso3("xyz").value_or("") == "XYZ");
}
