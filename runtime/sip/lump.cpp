// Lump composition: resolves a set of edit lists into ordered text pieces and
// skipped ranges, then produces the new message or the length of a range.
#include "ser/sip/lump.hpp"

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <cstring>

#include "runtime/sip/lump_plan.hpp"

namespace ser::sip {

void Lumps::insert(uint32_t offset, std::string text) {
    if (text.empty()) return;
    ops_.push_back(Op{offset, 0, std::move(text), true});
}

void Lumps::insert_dynamic(uint32_t offset, LumpTextFn fn, std::shared_ptr<const void> arg) {
    if (!fn) return;
    Op op{offset, 0, {}, true};
    op.dynamic = fn;
    op.arg = std::move(arg);
    ops_.push_back(std::move(op));
}

void Lumps::remove(uint32_t offset, uint32_t len) {
    if (len == 0) return;
    ops_.push_back(Op{offset, len, {}, false});
}

void Lumps::replace(uint32_t offset, uint32_t len, std::string text) {
    if (len == 0) {
        insert(offset, std::move(text));
        return;
    }
    bool t = !text.empty();
    ops_.push_back(Op{offset, len, std::move(text), t});
}

const std::string* Lumps::replacement(uint32_t off, uint32_t len) const {
    for (auto it = ops_.rbegin(); it != ops_.rend(); ++it)
        if (it->offset == off && it->len == len && it->has_text && !it->dynamic) return &it->text;
    return nullptr;
}

bool Lumps::touches(uint32_t off, uint32_t len) const {
    const uint64_t end = uint64_t(off) + len;
    for (const Op& o : ops_) {
        if (o.len == 0) {
            if (o.offset >= off && o.offset <= end) return true;
        } else if (o.offset < end && uint64_t(o.offset) + o.len > off) {
            return true;
        } else if (len == 0 && o.offset <= off && uint64_t(o.offset) + o.len > off) {
            return true;
        }
    }
    return false;
}

namespace {

struct Piece {
    uint32_t off;
    uint32_t order;
    std::string_view text;
};

struct Region {
    uint32_t start, end;
};

// The resolved form of all edits: text pieces (sorted by offset, then by the
// order the edits were made) and disjoint removed regions (sorted).
// Small inline buffers: a typical forward has a handful of edits, and this
// runs for every message sent (no heap allocation in the common case).
template <class T> using Small = boost::container::small_vector<T, 16>;

struct Plan {
    Small<Piece> pieces;
    Small<Region> regions;
    // Texts of send-time inserts, made once per build, one after the other
    // into one buffer (a LumpTextFn appends); every one is made before the
    // first view into the buffer is taken, so no view sees it move.
    std::string made;
    Small<uint32_t> made_ends;
    const SendContext* ctx = nullptr;

    void make_dynamic(const Lumps* l) {
        if (!l) return;
        static const SendContext empty{};
        for (const auto& op : l->ops())
            if (op.dynamic) {
                op.dynamic(ctx ? *ctx : empty, op.arg.get(), made);
                made_ends.push_back(uint32_t(made.size()));
            }
    }
    // The text of op, the `dyn`-th send-time insert seen so far when dynamic.
    std::string_view text_of(const Lumps::Op& op, size_t& dyn) const {
        if (op.dynamic) {
            const uint32_t b = dyn ? made_ends[dyn - 1] : 0, e = made_ends[dyn];
            ++dyn;
            return std::string_view(made).substr(b, e - b);
        }
        return op.has_text ? std::string_view(op.text) : std::string_view();
    }

    struct Item {
        uint32_t off, len, order;
        std::string_view text;   // empty = pure remove
    };

    Plan(std::initializer_list<const Lumps*> lists, uint32_t end, const SendContext* c = nullptr) : ctx(c) {
        for (const Lumps* l : lists) make_dynamic(l);
        Small<Item> items;
        uint32_t order = 0;
        size_t dyn = 0;
        for (const Lumps* l : lists) {
            if (!l) continue;
            for (const auto& op : l->ops()) {
                ++order;
                add(items, end, op.offset, op.len, text_of(op, dyn), order);
            }
        }
        resolve(items);
    }

    Plan(const Lumps* module, const detail::EditList& own, uint32_t end, const SendContext* c) : ctx(c) {
        make_dynamic(module);
        Small<Item> items;
        uint32_t order = 0;
        size_t dyn = 0;
        if (module)
            for (const auto& op : module->ops()) {
                ++order;
                add(items, end, op.offset, op.len, text_of(op, dyn), order);
            }
        for (const auto& op : own) {
            ++order;
            add(items, end, op.offset, op.len, op.text, order);
        }
        resolve(items);
    }

    static void add(Small<Item>& items, uint32_t end, uint32_t off, uint32_t olen,
                    std::string_view text, uint32_t order) {
        if (off > end) return;
        uint32_t len = std::min<uint64_t>(olen, uint64_t(end) - off);
        if (len == 0 && text.empty()) return;
        items.push_back(Item{off, len, order, text});
    }

    void resolve(Small<Item>& items) {
        // Ranges sorted by (start, len, order): identical ranges are adjacent,
        // the last of them keeps its text; the longest range per start is last.
        Small<Item*> ranges;
        for (auto& it : items)
            if (it.len > 0) ranges.push_back(&it);
        if (ranges.size() > 1) {
            std::sort(ranges.begin(), ranges.end(), [](const Item* a, const Item* b) {
                if (a->off != b->off) return a->off < b->off;
                if (a->len != b->len) return a->len < b->len;
                return a->order < b->order;
            });
            // Two replaces of the same range: the later one wins. A replace
            // strictly contained in a longer range starting at the same offset
            // loses its text (the longer edit removes what it replaced).
            for (size_t k = 0; k + 1 < ranges.size(); ++k)
                if (ranges[k]->off == ranges[k + 1]->off) ranges[k]->text = {};
        }
        for (const Item* r : ranges) {
            uint32_t s = r->off, e = r->off + r->len;
            if (!regions.empty() && s < regions.back().end)
                regions.back().end = std::max(regions.back().end, e);
            else
                regions.push_back(Region{s, e});
        }
        for (const auto& it : items) {
            if (it.text.empty()) continue;
            if (!regions.empty() && inside(it.off)) continue;   // anchored inside removed text
            pieces.push_back(Piece{it.off, it.order, it.text});
        }
        // Stable by construction order: insertion sort (few pieces, mostly
        // already in offset order).
        for (size_t k = 1; k < pieces.size(); ++k) {
            Piece p = pieces[k];
            size_t j = k;
            while (j > 0 && (pieces[j - 1].off > p.off ||
                             (pieces[j - 1].off == p.off && pieces[j - 1].order > p.order))) {
                pieces[j] = pieces[j - 1];
                --j;
            }
            pieces[j] = p;
        }
    }

    // Offset strictly inside a removed region (start < off < end).
    bool inside(uint32_t off) const {
        auto it = std::upper_bound(regions.begin(), regions.end(), off,
                                   [](uint32_t o, const Region& r) { return o < r.start; });
        if (it == regions.begin()) return false;
        --it;
        return it->start < off && off < it->end;
    }

    std::string apply(std::string_view orig) const {
        const uint32_t end = uint32_t(orig.size());
        // Exact output size: kept bytes plus inserted text.
        size_t out_len = orig.size();
        for (const auto& r : regions) out_len -= std::min(r.end, end) - std::min(r.start, end);
        for (const auto& p : pieces) out_len += p.text.size();
        std::string out;
        out.resize(out_len);
        char* w = out.data();
        auto put = [&w](const char* s, size_t n) {
            std::memcpy(w, s, n);
            w += n;
        };
        size_t pos = 0, pi = 0, ri = 0;
        while (true) {
            uint32_t pt = pi < pieces.size() ? pieces[pi].off : UINT32_MAX;
            uint32_t rs = ri < regions.size() ? regions[ri].start : UINT32_MAX;
            if (pt == UINT32_MAX && rs == UINT32_MAX) break;
            if (pt <= rs) {
                if (pt > pos) put(orig.data() + pos, pt - pos), pos = pt;
                const std::string_view t = pieces[pi++].text;
                put(t.data(), t.size());
            } else {
                if (rs > pos) put(orig.data() + pos, rs - pos);
                pos = std::max<size_t>(pos, regions[ri++].end);
            }
        }
        if (pos < end) put(orig.data() + pos, end - pos);
        out.resize(size_t(w - out.data()));   // no-op unless an edit lay beyond the end
        return out;
    }

    size_t length(uint32_t from, uint32_t to) const {
        size_t n = to > from ? to - from : 0;
        for (const auto& r : regions) {
            uint32_t s = std::max(r.start, from), e = std::min(r.end, to);
            if (e > s) n -= e - s;
        }
        for (const auto& p : pieces)
            if (p.off >= from && p.off <= to) n += p.text.size();
        return n;
    }
};

}  // namespace

std::string Lumps::apply(std::string_view original, const SendContext* ctx) const {
    return apply_lumps(original, {this}, ctx);
}

std::string apply_lumps(std::string_view original, std::initializer_list<const Lumps*> lists,
                        const SendContext* ctx) {
    Plan plan(lists, uint32_t(original.size()), ctx);
    return plan.apply(original);
}

size_t edited_length(std::initializer_list<const Lumps*> lists, uint32_t from, uint32_t to) {
    Plan plan(lists, to);
    return plan.length(from, to);
}

namespace detail {

std::string apply_edits(std::string_view original, const Lumps* module, const EditList& own,
                        const SendContext* ctx) {
    Plan plan(module, own, uint32_t(original.size()), ctx);
    return plan.apply(original);
}

}  // namespace detail

bool lumps_touch(std::initializer_list<const Lumps*> lists, uint32_t from, uint32_t to) {
    for (const Lumps* l : lists)
        if (l && l->touches(from, to - from)) return true;
    return false;
}

}  // namespace ser::sip
