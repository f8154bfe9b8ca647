// Shared style model: ramps at their stops (the viewer's values), scales, Gi* colours, hex
// conversion, categorical colours, and the QGIS .qml sidecars (well-formed, right stops and range).
#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <vector>

#include "nexusmap/qml.hpp"
#include "nexusmap/style.hpp"

using namespace nexusmap;
using namespace nexusmap::style;

namespace {
std::array<int, 3> rgb255(Rgb c) { return {channel8(c.r), channel8(c.g), channel8(c.b)}; }
// Minimal XML well-formedness: every start tag closed in order (comments, DOCTYPE and
// self-closing tags handled; enough for what qml.cpp writes).
bool well_formed(const std::string& x, std::string* why) {
    std::vector<std::string> stack;
    size_t i = 0;
    while ((i = x.find('<', i)) != std::string::npos) {
        if (x.compare(i, 4, "<!--") == 0) { i = x.find("-->", i); if (i == std::string::npos) return false; continue; }
        if (x.compare(i, 2, "<!") == 0 || x.compare(i, 2, "<?") == 0) { i = x.find('>', i); continue; }
        const size_t j = x.find('>', i);
        if (j == std::string::npos) return false;
        std::string tag = x.substr(i + 1, j - i - 1);
        i = j + 1;
        if (!tag.empty() && tag[0] == '/') {
            const std::string name = tag.substr(1);
            if (stack.empty() || stack.back() != name) { *why = "unexpected </" + name + ">"; return false; }
            stack.pop_back();
        } else if (!tag.empty() && tag.back() != '/') {
            stack.push_back(tag.substr(0, tag.find_first_of(" \t\n")));
        }
    }
    if (!stack.empty()) *why = "unclosed <" + stack.back() + ">";
    return stack.empty();
}
size_t count(const std::string& s, const std::string& sub) {
    size_t n = 0;
    for (size_t i = s.find(sub); i != std::string::npos; i = s.find(sub, i + 1)) ++n;
    return n;
}
} // namespace

TEST_CASE("ramps: the viewer's stops, exactly, at t = i/(n-1)") {
    struct Known {
        Ramp r;
        size_t n;
        std::array<int, 3> first, mid, last;
    };
    const Known known[] = {
        {Ramp::Viridis, 9, {68, 1, 84}, {38, 130, 142}, {253, 231, 37}},
        {Ramp::Magma, 9, {0, 0, 4}, {181, 54, 122}, {252, 253, 191}},
        {Ramp::Inferno, 9, {0, 0, 4}, {186, 54, 85}, {252, 255, 164}},
        {Ramp::YlOrRd, 9, {255, 255, 204}, {253, 141, 60}, {128, 0, 38}},
        {Ramp::RdYlBu, 11, {49, 54, 149}, {255, 255, 191}, {165, 0, 38}},
    };
    for (const auto& k : known) {
        CAPTURE(ramp_id(k.r));
        const auto s = ramp_stops(k.r);
        REQUIRE(s.size() == k.n);
        CHECK(rgb255(ramp_color(k.r, 0.0)) == k.first);
        CHECK(rgb255(ramp_color(k.r, 0.5)) == k.mid);
        CHECK(rgb255(ramp_color(k.r, 1.0)) == k.last);
        for (size_t i = 0; i < s.size(); ++i) CHECK(rgb255(ramp_color(k.r, double(i) / double(s.size() - 1))) == rgb255(s[i]));
        // Clamped outside [0, 1]; NaN -> the low end.
        CHECK(rgb255(ramp_color(k.r, -3)) == k.first);
        CHECK(rgb255(ramp_color(k.r, 7)) == k.last);
        CHECK(rgb255(ramp_color(k.r, std::nan(""))) == k.first);
        // The LUT agrees with ramp_color.
        const auto lut = ramp_lut(k.r);
        CHECK(lut[0] == k.first[0]);
        CHECK(lut[255 * 4 + 2] == k.last[2]);
    }
    // Halfway between viridis stops 0 and 1: (70, 20.5, 102).
    const Rgb h = ramp_color(Ramp::Viridis, 0.5 / 8);
    CHECK(h.r * 255 == doctest::Approx(70).epsilon(1e-4));
    CHECK(h.g * 255 == doctest::Approx(20.5).epsilon(1e-4));
    CHECK(h.b * 255 == doctest::Approx(102).epsilon(1e-4));
    CHECK(ramp_from_name("YlOrRd") == Ramp::YlOrRd);
    CHECK(ramp_from_name("rdylbu") == Ramp::RdYlBu);
    CHECK(ramp_from_name("VIRIDIS") == Ramp::Viridis);
    CHECK(!ramp_from_name("jet"));
}

TEST_CASE("value scales: to_t and from_t invert each other; log uses hi/1000 for lo <= 0") {
    for (Scale sc : {Scale::Linear, Scale::Sqrt, Scale::Log}) {
        ValueScale v{sc, 0, 8};
        for (double t : {0.0, 0.25, 0.5, 1.0}) CHECK(v.to_t(v.from_t(t)) == doctest::Approx(t));
    }
    ValueScale lin{Scale::Linear, 0, 8}, sq{Scale::Sqrt, 0, 8}, lg{Scale::Log, 0, 8};
    CHECK(lin.to_t(2) == doctest::Approx(0.25));
    CHECK(sq.to_t(2) == doctest::Approx(0.5));
    CHECK(lg.effective_lo() == doctest::Approx(0.008));
    CHECK(lg.to_t(0.08) == doctest::Approx(1.0 / 3));
    CHECK(lg.to_t(0) < 0);
    CHECK(scale_from_name("sqrt") == Scale::Sqrt);
    CHECK(!scale_from_name("cubic"));
}

TEST_CASE("Gi* bin colours, hex round trip, categorical palette") {
    CHECK(std::string(gi_bin_hex(3)) == "#d62f27");
    CHECK(std::string(gi_bin_hex(2)) == "#ed7551");
    CHECK(std::string(gi_bin_hex(1)) == "#fab984");
    CHECK(std::string(gi_bin_hex(-1)) == "#c0ccbe");
    CHECK(std::string(gi_bin_hex(-2)) == "#849eba");
    CHECK(std::string(gi_bin_hex(-3)) == "#4575b5");
    CHECK(std::string(gi_bin_hex(9)) == "#d62f27"); // clamped
    for (int b = -3; b <= 3; ++b) CHECK(to_hex(gi_bin_color(b)) == gi_bin_hex(b));
    CHECK(to_hex(*from_hex("#D62F27")) == "#d62f27");
    CHECK(to_hex(*from_hex("#abc")) == "#aabbcc");
    CHECK(!from_hex("d62f27"));
    CHECK(!from_hex("#12345"));
    LayerStyle s;
    categorical(s, "commodity", {"fuel", "arms", "gold", "arms"});
    REQUIRE(s.categories == std::vector<std::string>{"arms", "fuel", "gold"});
    CHECK(to_hex(*s.color_of("fuel")) == to_hex(category_color(1)));
    CHECK(to_hex(category_color(0)) == "#4e79a7");
    CHECK(!s.color_of("cattle"));
}

TEST_CASE("QGIS .qml: well-formed, singlebandpseudocolor, the ramp's stops over min..max") {
    RasterStyle st;
    st.ramp = Ramp::Viridis;
    st.scale = ValueScale{Scale::Linear, 0, 0.08};
    const std::string q = qml_pseudocolor(st);
    std::string why;
    CHECK_MESSAGE(well_formed(q, &why), why);
    CHECK(q.find("type=\"singlebandpseudocolor\"") != std::string::npos);
    CHECK(q.find("colorRampType=\"INTERPOLATED\"") != std::string::npos);
    CHECK(q.find("classificationMin=\"0\"") != std::string::npos);
    CHECK(q.find("classificationMax=\"0.08\"") != std::string::npos);
    CHECK(count(q, "<item ") == 9);
    // Every stop at its value: stop i at 0.08 * i / 8.
    const auto s = ramp_stops(Ramp::Viridis);
    for (size_t i = 0; i < s.size(); ++i) {
        char v[64];
        std::snprintf(v, sizeof v, "value=\"%.9g\"", 0.08 * double(i) / 8);
        const size_t at = q.find(v);
        REQUIRE_MESSAGE(at != std::string::npos, v);
        const size_t c = q.find("color=\"", at);
        CHECK(q.substr(c + 7, 7) == to_hex(s[i]));
    }
    // Low values transparent, like the maps.
    CHECK(q.find("percentTransparent=\"100\"") != std::string::npos);
    // sqrt: 4 items per stop interval, the top still at max.
    st.scale.scale = Scale::Sqrt;
    st.ramp = Ramp::RdYlBu;
    const std::string q2 = qml_pseudocolor(st);
    CHECK(well_formed(q2, &why));
    CHECK(count(q2, "<item ") == 41);
    CHECK(q2.find("value=\"0.08\" label=\"0.08\" color=\"#a50026\"") != std::string::npos);
    // Gi* bins.
    const std::string g = qml_gi_bins();
    CHECK(well_formed(g, &why));
    CHECK(g.find("band=\"3\"") != std::string::npos);
    CHECK(g.find("colorRampType=\"EXACT\"") != std::string::npos);
    CHECK(g.find("value=\"3\"") != std::string::npos);
    CHECK(g.find("#d62f27") != std::string::npos);
    CHECK(g.find("#4575b5") != std::string::npos);
    CHECK(qml_path_for("/a/b/density.tif") == "/a/b/density.qml");
}
