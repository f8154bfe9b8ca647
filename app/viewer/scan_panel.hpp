#pragma once
// Scan and Nexus panels (issue #18, viewer part): geo's space-time permutation scan and the
// route-association test run on the filtered, precise events as background jobs with the same
// parameter structs as `nexusmap scan` / `nexusmap nexus` (ScanParams, NexusParams), so a run
// here and on the command line with the same inputs and parameters gives the same tables.
// Results: scan clusters drawn as circles over the map (any display CRS: the ring is projected
// vertex by vertex) with a table and a hover read-out; nexus routes ranked in a table, the
// selected unit's distance-response curve with its pointwise and global envelopes, the selected
// route highlighted. Exports (GeoJSON + CSV with provenance) go with the viewer's GeoJSON export.
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "nexusmap/export.hpp"
#include "nexusmap/nexus.hpp"
#include "nexusmap/scan.hpp"
#include "viewer/jobs.hpp"
#include "viewer/panel.hpp"

namespace nexusmap::viewer {

struct ScanOutput {
    ScanResult r;
    VectorLayer clusters; // scan_cluster_layer (analysis CRS)
    size_t n_input = 0;   // events handed to the scan (filtered, precise)
};

struct NexusOutput {
    NexusResult r;
    VectorLayer routes; // nexus_route_layer (the routes layer's CRS: the analysis CRS in the viewer)
    std::optional<ClqResult> clq;
    Metadata clq_md;
    size_t n_input = 0;
    std::string routes_title;
};

// One exported table or layer (file name without folder, metadata written with it).
struct AnalysisExport {
    std::string name; // "scan_clusters", ...
    std::optional<VectorLayer> layer; // GeoJSON when set
    std::optional<Table> table;       // CSV when set
    Metadata md;
};

// "key=value" settings as the CLI flags spell them (without "--"): period, centres,
// centre-cell-km, ... Throws GeoError naming the key on a bad one. Used by --scan-param /
// --nexus-param (batch and tests).
void apply_scan_setting(ScanParams& p, const std::string& kv);
void apply_nexus_setting(NexusParams& p, bool& clq, const std::string& kv);

class ScanNexusUi {
  public:
    ScanNexusUi();
    void draw_windows(PanelContext& ctx);
    void draw_overlay(PanelContext& ctx);
    void start_scan(PanelContext& ctx);
    void start_nexus(PanelContext& ctx);
    void sync_curve_text(); // the panel's curve text from nexus_params.curve_km
    void mark_attempted() { scan_attempted_ = nexus_attempted_ = true; } // batch: a bad setting ends the wait
    bool busy() const { return scan_job_ || nexus_job_; }
    bool scan_attempted() const { return scan_attempted_; }
    bool nexus_attempted() const { return nexus_attempted_; }
    const ScanOutput* scan() const { return scan_.get(); }
    const NexusOutput* nexus() const { return nexus_.get(); }
    // Layers and tables to export (empty when nothing was computed); `events_md` is the events'
    // provenance (source, licence, synthetic) added to each.
    std::vector<AnalysisExport> exports(const Metadata& events_md) const;
    // Screenshot / batch mode summary lines.
    void print(std::ostream& out) const;

    ScanParams scan_params;
    NexusParams nexus_params;
    bool nexus_clq = false;
    int nexus_null = 0; // 0 smoothed, 1 admin1 (the loaded admin-1 layer)
    bool open_scan = false, open_nexus = false;
    std::string setting_error; // a bad --scan-param / --nexus-param (batch reports it)

  private:
    friend class ScanPanel;
    friend class NexusPanel;
    void draw_scan_panel(PanelContext& ctx);
    void draw_nexus_panel(PanelContext& ctx);
    void draw_nexus_window(PanelContext& ctx);
    bool scan_attempted_ = false, nexus_attempted_ = false;
    std::unique_ptr<ScanOutput> scan_;
    std::unique_ptr<NexusOutput> nexus_;
    Job* scan_job_ = nullptr;
    Job* nexus_job_ = nullptr;
    std::string scan_error_, nexus_error_;
    bool show_clusters_ = true, show_nexus_window_ = true;
    int hovered_cluster_ = -1, selected_unit_ = 0;
    int scan_period_ = 2, scan_centres_ = 0; // combo indices (year, quarter, month; grid, events)
    char curve_km_[128] = "";
};

// The "Space-time scan" and "Nexus test" sidebar sections of ScanNexusUi (which owns their state,
// results, windows and overlay) as panels.
class ScanPanel : public Panel {
  public:
    explicit ScanPanel(ScanNexusUi& ui) : ui_(ui) {}
    const char* name() const override { return "scan"; }
    void draw(PanelContext& ctx) override { ui_.draw_scan_panel(ctx); }

  private:
    ScanNexusUi& ui_;
};
class NexusPanel : public Panel {
  public:
    explicit NexusPanel(ScanNexusUi& ui) : ui_(ui) {}
    const char* name() const override { return "nexus"; }
    void draw(PanelContext& ctx) override { ui_.draw_nexus_panel(ctx); }

  private:
    ScanNexusUi& ui_;
};

} // namespace nexusmap::viewer
