// Lumps: edits of a received message recorded against the ORIGINAL buffer
// (SER's add_rm lumps). Nothing is changed in place; the builders apply all
// edits once when the message is sent.
//
// Composition rules (apply order = order of the lists, then of the edits):
//  * inserts at the same offset come out in the order they were added;
//  * a remove/replace starting at an offset where something was inserted
//    leaves that insert in place (text inserted before the removed range);
//  * overlapping removed ranges are merged; text anchored strictly inside a
//    removed range (an insert there, or a replace contained in a longer
//    removed range) is dropped, so nothing is ever duplicated or spliced into
//    the middle of removed text (e.g. remove_hf on a header that
//    fix_nated_contact edited);
//  * two replaces of exactly the same range: the later one wins.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ser { struct SocketInfo; }

namespace ser::sip {

// What is known only when a message is actually sent, per branch: the
// socket it leaves from (SER's SUBST/COND lumps resolve against it).
struct SendContext {
    const SocketInfo* send_socket = nullptr;   // null when not known (replies, tests)
    const SocketInfo* recv_socket = nullptr;   // where the message came in
    int proto = 0;                             // transport it leaves on (PROTO_*)
    std::string_view adv_address;              // advertised address for this message ("" = none)
    std::string_view adv_port;                 // advertised port text ("" = none)
};

// Appends the text of a send-time insert to `out` (nothing = no insert).
// `arg` is the module's data given with the lump; must be thread-safe to
// read (a stored request is built by several workers and the timer).
using LumpTextFn = void (*)(const SendContext& ctx, const void* arg, std::string& out);

class Lumps {
public:
    struct Op {
        uint32_t offset = 0;
        uint32_t len = 0;          // removed bytes (0 = pure insert)
        std::string text;          // inserted/replacement text
        bool has_text = false;     // false = pure remove
        LumpTextFn dynamic = nullptr;         // send-time insert: text made by this
        std::shared_ptr<const void> arg;      // ... from this
    };

    void insert(uint32_t offset, std::string text);
    // An insert whose text depends on the sending socket (rr's second
    // Record-Route, `;lr` vs `;lr=on`); resolved by every build of the
    // message. Ordered with the other edits as a plain insert.
    void insert_dynamic(uint32_t offset, LumpTextFn fn, std::shared_ptr<const void> arg);
    void remove(uint32_t offset, uint32_t len);
    void replace(uint32_t offset, uint32_t len, std::string text);

    // True if an edit changes bytes in [off, off+len) or inserts at an offset
    // in [off, off+len] (both ends inclusive).
    bool touches(uint32_t off, uint32_t len) const;

    // The text of the last replace of exactly [off, off+len), or null: how
    // a module reads back a value another one rewrote (registrar's save()
    // stores the Contact URI that nathelper's fix_nated_contact replaced).
    const std::string* replacement(uint32_t off, uint32_t len) const;

    size_t size() const { return ops_.size(); }
    bool empty() const { return ops_.empty(); }
    void clear() { ops_.clear(); }
    const std::vector<Op>& ops() const { return ops_; }

    // `original` with these edits applied (send-time inserts resolved
    // against `ctx`, or an empty context).
    std::string apply(std::string_view original, const SendContext* ctx = nullptr) const;

private:
    std::vector<Op> ops_;
};

// Applies several lists together (later lists after earlier ones at equal
// offsets), over original[0, original.size()); edits beyond the end are
// clipped/dropped.
std::string apply_lumps(std::string_view original, std::initializer_list<const Lumps*> lists,
                        const SendContext* ctx = nullptr);

// Length of the output produced for the original range [from, to] after the
// edits: bytes kept in [from, to) plus text inserted at offsets in [from, to].
// With from = body offset and to = message end this is the new body length.
size_t edited_length(std::initializer_list<const Lumps*> lists, uint32_t from, uint32_t to);

// True if any list touches [from, to] (see Lumps::touches).
bool lumps_touch(std::initializer_list<const Lumps*> lists, uint32_t from, uint32_t to);

}  // namespace ser::sip
