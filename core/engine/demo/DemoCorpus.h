#pragma once

// The built-in demo study's synthetic world and its pre-training text (engine/DemoStudy.h).
// A seeded world of made-up creatures (colour, home), antonym pairs, review sentences with
// positive and negative words, and small-number comparisons; the corpus states its facts in
// several phrasings, one sentence per line, so that the demo tasks (engine/DemoTasks.h),
// drawn from the same world, are learnable from pre-training. Standard library only.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ckptlab::engine {

struct DemoCreature {
    std::string name;   // made up, e.g. "kazu"
    std::string colour;
    std::string home;
};

struct DemoWorld {
    std::vector<std::string> colours;
    std::vector<DemoCreature> creatures;
    std::vector<std::pair<std::string, std::string>> antonyms; // each pair once, either order
    std::vector<std::string> positiveWords, negativeWords;
    std::vector<std::string> reviewSubjects;                   // "soup", "film", ...
    std::vector<std::pair<std::string, std::string>> animalSounds;
    int largestNumber = 0;                                     // comparisons use 1..largestNumber
};

// The same seed gives the same world; `creatures` made-up creatures with unique names.
DemoWorld makeDemoWorld(uint64_t seed, int creatures);

// One review sentence ("the soup was lovely."), the polarity of its word given.
std::string demoReview(const DemoWorld& world, uint64_t& random, bool positive);

// Pre-training documents (lines of text, no end-of-text marker) drawn from the world until
// their total length reaches `characters`.
std::vector<std::string> demoCorpusDocuments(const DemoWorld& world, uint64_t seed, size_t characters);

} // namespace ckptlab::engine
