// The builders' own edits (our Via, received/rport, Content-Length, removed
// leading CRLFs / first Via). Internal to runtime/sip.
//
// Unlike Lumps they hold views: fixed texts point at static or caller-owned
// text, composed ones are made in a small inline arena, so building a
// message allocates nothing but the output. Composition follows exactly the
// Lumps rules (lump.hpp): the edit list is applied after the module lists.
#pragma once

#include <boost/container/small_vector.hpp>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ser/sip/lump.hpp"

namespace ser::sip::detail {

class EditList {
public:
    struct Op {
        uint32_t offset = 0;
        uint32_t len = 0;          // removed bytes (0 = pure insert)
        std::string_view text;     // empty = no text
    };

    EditList() = default;
    EditList(const EditList&) = delete;
    EditList& operator=(const EditList&) = delete;

    // Same semantics as Lumps::insert/remove/replace. `text` must stay valid
    // until the list is applied (static text, the message, or make()).
    void insert(uint32_t offset, std::string_view text) {
        if (text.empty()) return;
        ops_.push_back(Op{offset, 0, text});
    }
    void remove(uint32_t offset, uint32_t len) {
        if (len == 0) return;
        ops_.push_back(Op{offset, len, {}});
    }
    void replace(uint32_t offset, uint32_t len, std::string_view text) {
        if (len == 0) {
            insert(offset, text);
            return;
        }
        ops_.push_back(Op{offset, len, text});
    }

    // Concatenation of `parts`, stored in this list.
    std::string_view make(std::initializer_list<std::string_view> parts) {
        size_t n = 0;
        for (std::string_view p : parts) n += p.size();
        char* d = alloc(n);
        char* w = d;
        for (std::string_view p : parts) {
            if (!p.empty()) std::memcpy(w, p.data(), p.size());
            w += p.size();
        }
        return {d, n};
    }

    // Room for `n` bytes of text that lives as long as this list.
    char* alloc(size_t n) {
        if (n <= sizeof arena_ - used_) {
            char* d = arena_ + used_;
            used_ += n;
            return d;
        }
        big_.push_back(std::make_unique<char[]>(n ? n : 1));
        return big_.back().get();
    }

    const Op* begin() const { return ops_.data(); }
    const Op* end() const { return ops_.data() + ops_.size(); }
    size_t size() const { return ops_.size(); }

private:
    boost::container::small_vector<Op, 8> ops_;
    char arena_[384];
    size_t used_ = 0;
    std::vector<std::unique_ptr<char[]>> big_;
};

// original[0, size) with the edits of `module` (may be null) and then `own`
// applied (= apply_lumps(original, {module, <own as Lumps>})).
std::string apply_edits(std::string_view original, const Lumps* module, const EditList& own,
                        const SendContext* ctx = nullptr);

// Decimal text of v into buf (at least 10 bytes); returns its length.
inline size_t u32_text(char* buf, uint32_t v) {
    char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = char('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; ++i) buf[i] = tmp[n - 1 - i];
    return n;
}

}  // namespace ser::sip::detail
