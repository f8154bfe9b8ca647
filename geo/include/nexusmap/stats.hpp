#pragma once
// Small statistics toolbox shared by the hot spot engine and the trend tools: normal
// distribution helpers, Mann–Kendall trend test, Theil–Sen slope, Benjamini–Hochberg FDR,
// Pearson correlation and a reproducible RNG. Pure C++, no external libraries.
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <utility>
#include <vector>

namespace nexusmap::stats {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Standard normal distribution.
double normal_cdf(double z);       // P(Z <= z)
double normal_sf(double z);        // P(Z > z), accurate in the far tail
double normal_quantile(double p);  // inverse CDF, p in (0,1); +-inf at 0/1, NaN outside
double p_two_sided(double z);      // 2 P(Z > |z|); NaN for NaN z

// Median of the non-NaN values (NaN when none). Takes a copy it may reorder.
double median(std::vector<double> v);

// Mann–Kendall trend test (Mann 1945, Kendall 1975; as in Gilbert 1987 ch. 16).
// NaN values are dropped (the remaining values keep their order). Two values tie when they differ
// by at most 1e-9 x the series' largest |value| (sorted values join a tie group while within that
// of the group's smallest member): values equal in exact arithmetic but computed along different
// paths (~1e-16 apart) are ties, not rises or falls. S and Var(S) use the same tie groups.
//   S      = sum_{i<j} sign(y_j - y_i)
//   Var(S) = [n(n-1)(2n+5) - sum_g t_g(t_g-1)(2t_g+5)] / 18   (t_g: size of tie group g)
//   z      = (S-1)/sqrt(Var) if S>0, (S+1)/sqrt(Var) if S<0, 0 otherwise (continuity correction)
//   p      = two-sided normal p of z;  tau = S / (n(n-1)/2)  (Kendall's tau-a)
struct MannKendallResult {
    size_t n = 0;
    double s = 0, var_s = 0, z = 0, p = 1, tau = 0;
    int ties = 0; // number of tie groups (t >= 2)
};
MannKendallResult mann_kendall(std::span<const double> y);

// Theil–Sen slope: median of the pairwise slopes (y_j - y_i)/(x_j - x_i) over pairs with x_i != x_j.
// Intercept: median of y_i - slope * x_i (robust "joint" form).
// Confidence interval (Sen 1968; Gilbert 1987 §16.5): C = z_{1-alpha/2} sqrt(Var(S)) with the
// tie-corrected Mann–Kendall Var(S) of y; M1 = (N'-C)/2, M2 = (N'+C)/2 rounded to integers; the
// bounds are the M1-th and (M2+1)-th smallest of the N' ordered slopes (clamped to the range).
// NaN pairs are dropped. `alpha` = 0.05 gives a 95% interval.
struct TheilSenResult {
    size_t n = 0;       // points used
    size_t n_slopes = 0;
    double slope = kNaN, intercept = kNaN;
    double slope_lo = kNaN, slope_hi = kNaN;
    double alpha = 0.05;
};
TheilSenResult theil_sen(std::span<const double> x, std::span<const double> y, double alpha = 0.05);
TheilSenResult theil_sen(std::span<const double> y, double alpha = 0.05); // x = 0, 1, 2, ...

// Benjamini–Hochberg (1995) step-up FDR. Adjusted p: q_(k) = min_{j>=k} min(1, m p_(j) / j) over the
// m non-NaN p-values (NaN stays NaN). q_i <= alpha is exactly the BH rejection set at level alpha.
std::vector<double> bh_adjust(std::span<const double> p);
std::vector<uint8_t> bh_significant(std::span<const double> p, double alpha);

// Pearson product-moment correlation over pairs where both values are finite; NaN with fewer than
// two pairs or zero variance. Exactly 0 when the centred cross-product sum is within its round-off
// bound (8 k eps sum|dx dy|): uncorrelated data gives 0, not 1e-19.
double pearson(std::span<const double> x, std::span<const double> y);

// Seeded generator for permutation tests. Uses its own bounded-integer draw (rejection sampling)
// rather than std::uniform_int_distribution, whose output differs between standard libraries, so a
// seed gives the same permutations everywhere.
class Rng {
  public:
    explicit Rng(uint64_t seed = 0x6e657875736d6170ULL) : eng_(seed) {}
    uint64_t next() { return eng_(); }
    // Uniform integer in [0, n), n >= 1.
    uint64_t below(uint64_t n) {
        const uint64_t threshold = (0 - n) % n; // 2^64 mod n: reject the biased low range
        for (;;) {
            const uint64_t r = eng_();
            if (r >= threshold) return r % n;
        }
    }
    double uniform() { return static_cast<double>(eng_() >> 11) * 0x1.0p-53; } // [0,1)
    template <class T> void shuffle(std::span<T> v) {
        for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
    }
    std::mt19937_64& engine() { return eng_; }

  private:
    std::mt19937_64 eng_;
};

} // namespace nexusmap::stats
