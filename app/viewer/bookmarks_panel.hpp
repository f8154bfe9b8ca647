#pragma once
// Bookmarks panel: named views (centre, ground scale, display CRS) added from the current view,
// recalled from the panel or the menu bar's "Bookmarks" menu; saved in the project file; adding and
// deleting are undoable (edits.hpp).
#include "viewer/edits.hpp"
#include "viewer/panel.hpp"

namespace nexusmap::viewer {

class BookmarksPanel : public Panel {
  public:
    explicit BookmarksPanel(Edits& e) : edits_(e) {}
    const char* name() const override { return "bookmarks"; }
    void draw(PanelContext& ctx) override;
    void menu(PanelContext& ctx) override;
    nlohmann::json save_state() const override;
    std::string load_state(const nlohmann::json& j) override;
    // The current view as a bookmark.
    static Bookmark current_view(const PanelContext& ctx, const std::string& name);

  private:
    Edits& edits_;
    char name_[64] = "";
};

} // namespace nexusmap::viewer
