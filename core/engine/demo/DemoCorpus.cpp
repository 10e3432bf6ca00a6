#include "engine/demo/DemoCorpus.h"

#include "engine/SeededRandom.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <stdexcept>

namespace ckptlab::engine {

namespace {

const std::vector<std::pair<std::string, std::string>> kAntonyms = {
    {"hot", "cold"},       {"big", "small"},      {"up", "down"},          {"fast", "slow"},
    {"happy", "sad"},      {"light", "dark"},     {"old", "new"},          {"wet", "dry"},
    {"open", "closed"},    {"early", "late"},     {"high", "low"},         {"hard", "soft"},
    {"full", "empty"},     {"loud", "quiet"},     {"long", "short"},       {"rich", "poor"},
    {"strong", "weak"},    {"thick", "thin"},     {"clean", "dirty"},      {"near", "far"},
    {"in", "out"},         {"left", "right"},     {"day", "night"},        {"black", "white"},
    {"first", "last"},     {"top", "bottom"},     {"win", "lose"},         {"give", "take"},
    {"push", "pull"},      {"buy", "sell"},       {"come", "go"},          {"on", "off"},
    {"start", "end"},      {"front", "back"},     {"above", "below"},      {"before", "after"},
    {"rough", "smooth"},   {"wide", "narrow"},    {"deep", "shallow"},     {"true", "false"},
    {"friend", "enemy"},   {"north", "south"},    {"east", "west"},        {"summer", "winter"},
    {"boy", "girl"},       {"king", "queen"},     {"sunrise", "sunset"},  {"catch", "throw"},
    {"laugh", "cry"},      {"remember", "forget"}, {"asleep", "awake"},    {"alive", "dead"},
    {"easy", "difficult"}, {"odd", "even"},       {"borrow", "lend"},      {"future", "past"},
    {"wild", "tame"},      {"always", "never"},   {"tight", "loose"},      {"mother", "father"},
    {"brother", "sister"}, {"huge", "tiny"},      {"private", "public"},   {"dawn", "dusk"},
};

const std::vector<std::string> kColours = {"red", "blue", "green", "yellow", "pink", "brown", "grey", "purple"};
const std::vector<std::string> kHomes = {"forest", "sea", "hills", "desert", "river", "cave", "town", "snow"};
const std::vector<std::string> kPositive = {"good", "great", "lovely", "nice", "fine", "wonderful", "tasty",
                                            "pleasant", "fun", "perfect", "excellent", "charming"};
const std::vector<std::string> kNegative = {"bad", "awful", "nasty", "boring", "rude", "dull", "ugly",
                                            "stale", "terrible", "horrible", "smelly", "broken"};
const std::vector<std::string> kSubjects = {"soup", "film", "room", "hotel", "book", "song", "cake", "park",
                                            "game", "show", "bus", "shop", "meal", "trip", "class", "cafe",
                                            "bread", "play", "team", "garden", "coffee", "concert", "bed", "pizza"};
const std::vector<std::pair<std::string, std::string>> kSounds = {
    {"cow", "moo"}, {"dog", "woof"}, {"cat", "meow"}, {"duck", "quack"}, {"sheep", "baa"},
    {"owl", "hoot"}, {"pig", "oink"}, {"bee", "buzz"}, {"snake", "hiss"}, {"lion", "roar"}};

// The corpus's own words, which a made-up name must not spell either.
const std::vector<std::string> kTemplateWords = {
    "the", "is", "was", "of", "it", "in", "saw", "lives", "colour", "animal", "what", "question", "answer",
    "review", "word", "more", "than", "less", "count", "says", "comes", "from", "so", "she", "my", "we", "found",
    "saying", "not", "opposite", "positive", "negative", "liked", "disliked", "happy", "sad", "sentiment"};

const char* const kOnsets[] = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh", "br"};
const char* const kVowels[] = {"a", "e", "i", "o", "u"};

template <typename T>
const T& pick(uint64_t& random, const std::vector<T>& from)
{
    return from[static_cast<size_t>(boundedRandom(random, from.size()))];
}

bool chance(uint64_t& random, int percent)
{
    return boundedRandom(random, 100) < static_cast<uint64_t>(percent);
}

std::string syllable(uint64_t& random)
{
    return std::string(kOnsets[boundedRandom(random, std::size(kOnsets))]) + kVowels[boundedRandom(random, std::size(kVowels))];
}

// Every word of the world's other lists, so that a made-up name never means something else.
std::set<std::string> takenWords()
{
    std::set<std::string> taken(kColours.begin(), kColours.end());
    taken.insert(kHomes.begin(), kHomes.end());
    for (const auto& list : {kPositive, kNegative, kSubjects, kTemplateWords})
        taken.insert(list.begin(), list.end());
    for (const auto& pairs : {kAntonyms, kSounds}) {
        for (const auto& [a, b] : pairs) {
            taken.insert(a);
            taken.insert(b);
        }
    }
    return taken;
}

// --- corpus sentences, one kind of fact each ---

std::string creatureLine(const DemoWorld& w, uint64_t& r)
{
    const DemoCreature& c = pick(r, w.creatures);
    switch (boundedRandom(r, 7)) {
    case 0: return "the " + c.name + " is " + c.colour + ".";
    case 1: return "a " + c.name + " is a " + c.colour + " animal.";
    case 2: return "what colour is the " + c.name + "? it is " + c.colour + ".";
    case 3: return "the " + c.colour + " " + c.name + " lives in the " + c.home + ".";
    case 4: return "i saw a " + c.name + " in the " + c.home + ". it was " + c.colour + ".";
    case 5: return "the colour of the " + c.name + " is " + c.colour + ".";
    default: return "the " + c.name + " lives in the " + c.home + ".";
    }
}

std::string antonymLine(const DemoWorld& w, uint64_t& r)
{
    auto [a, b] = pick(r, w.antonyms);
    if (chance(r, 50))
        std::swap(a, b);
    switch (boundedRandom(r, 5)) {
    case 0:
    case 1: return "the opposite of " + a + " is " + b + ".";
    case 2: return a + " is the opposite of " + b + ".";
    case 3: return "question: what is the opposite of " + a + "?\nanswer: " + b;
    default: return "it is not " + a + ". it is " + b + ".";
    }
}

std::string reviewLine(const DemoWorld& w, uint64_t& r)
{
    const bool positive = chance(r, 50);
    const std::string& word = pick(r, positive ? w.positiveWords : w.negativeWords);
    const std::string polarity = positive ? "positive" : "negative";
    switch (boundedRandom(r, 6)) {
    case 0: return demoReview(w, r, positive) + " i " + (positive ? "liked" : "disliked") + " it.";
    case 1: return word + " is a " + polarity + " word.";
    case 2: return demoReview(w, r, positive) + " the review was " + polarity + ".";
    case 3: return "the " + pick(r, w.reviewSubjects) + " was " + word + ", so she was " + (positive ? "happy" : "sad") + ".";
    case 4: return "my review: " + demoReview(w, r, positive) + " a " + polarity + " review.";
    default: return "saying " + word + " is " + polarity + ".";
    }
}

std::string numberLine(const DemoWorld& w, uint64_t& r)
{
    const int a = 1 + static_cast<int>(boundedRandom(r, static_cast<uint64_t>(w.largestNumber)));
    int b = 1 + static_cast<int>(boundedRandom(r, static_cast<uint64_t>(w.largestNumber - 1)));
    if (b >= a)
        ++b;
    const std::string big = std::to_string(std::max(a, b)), little = std::to_string(std::min(a, b));
    switch (boundedRandom(r, 5)) {
    case 0: return big + " is more than " + little + ".";
    case 1: return little + " is less than " + big + ".";
    case 2: return "question: is " + big + " more than " + little + "?\nanswer: yes";
    case 3: return "question: is " + little + " more than " + big + "?\nanswer: no";
    default: {
        std::string count = "count:";
        for (int n = std::min(a, b); n <= std::min(std::max(a, b), std::min(a, b) + 6); ++n)
            count += " " + std::to_string(n);
        return count + ".";
    }
    }
}

std::string soundLine(const DemoWorld& w, uint64_t& r)
{
    const auto& [animal, sound] = pick(r, w.animalSounds);
    return chance(r, 50) ? "the " + animal + " says " + sound + "." : "a " + sound + " comes from the " + animal + ".";
}

} // namespace

DemoWorld makeDemoWorld(uint64_t seed, int creatures)
{
    if (creatures < 1)
        throw std::invalid_argument("the demo world needs at least one creature");
    uint64_t r = seed ^ 0x5DEECE66Dull;
    DemoWorld w;
    w.colours = kColours;
    w.antonyms = kAntonyms;
    w.positiveWords = kPositive;
    w.negativeWords = kNegative;
    w.reviewSubjects = kSubjects;
    w.animalSounds = kSounds;
    w.largestNumber = 30;
    std::set<std::string> taken = takenWords();
    while (static_cast<int>(w.creatures.size()) < creatures) {
        std::string name = syllable(r) + syllable(r);
        if (chance(r, 30))
            name += kOnsets[boundedRandom(r, 14)]; // a closing consonant, single letters only
        if (!taken.insert(name).second)
            continue;
        w.creatures.push_back({name, pick(r, w.colours), pick(r, kHomes)});
    }
    return w;
}

std::string demoReview(const DemoWorld& world, uint64_t& random, bool positive)
{
    const std::string& subject = pick(random, world.reviewSubjects);
    const std::string& word = pick(random, positive ? world.positiveWords : world.negativeWords);
    switch (boundedRandom(random, 3)) {
    case 0: return "the " + subject + " was " + word + ".";
    case 1: return "a " + word + " " + subject + ".";
    default: return "we found the " + subject + " " + word + ".";
    }
}

std::vector<std::string> demoCorpusDocuments(const DemoWorld& world, uint64_t seed, size_t characters)
{
    using LineMaker = std::string (*)(const DemoWorld&, uint64_t&);
    // Creature facts are the most numerous and so get the largest share.
    const std::pair<LineMaker, int> makers[] = {
        {creatureLine, 36}, {antonymLine, 24}, {reviewLine, 20}, {numberLine, 14}, {soundLine, 6}};
    uint64_t r = seed ^ 0xC0FFEE1234567ull;
    std::vector<std::string> documents;
    size_t total = 0;
    while (total < characters) {
        // A document keeps to one or two kinds of fact, like a page on one topic.
        const int lines = 3 + static_cast<int>(boundedRandom(r, 6));
        LineMaker topics[2] = {nullptr, nullptr};
        for (LineMaker& topic : topics) {
            int ticket = static_cast<int>(boundedRandom(r, 100));
            for (const auto& [maker, weight] : makers) {
                if ((ticket -= weight) < 0) {
                    topic = maker;
                    break;
                }
            }
        }
        std::string document;
        for (int i = 0; i < lines; ++i) {
            if (i)
                document += '\n';
            document += topics[boundedRandom(r, 2)](world, r);
        }
        total += document.size() + 1;
        documents.push_back(std::move(document));
    }
    return documents;
}

} // namespace ckptlab::engine
