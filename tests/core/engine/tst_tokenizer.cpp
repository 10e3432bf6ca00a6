// The tokenizer against the Hugging Face `tokenizers` library: every reference case of the GPT-2 and
// GPT-NeoX-20B files (ids, tokens, decoded text), then one row per feature those files do not use,
// with expectations produced by the npm package from Node on the same JSON (see the support header).

#include "engine/EngineError.h"
#include "engine/tokenizer/Tokenizer.h"

#include "TokenizerTestSupport.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <thread>

using namespace ckptlab::engine;
using namespace tokenizer_test;

namespace {

const QString kSharedTokenizers = QStringLiteral(CKPTLAB_SHARED_DATA "/tokenizers/");

Json readJson(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Json();
    return Json::parse(file.readAll().toStdString());
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

private:
    std::map<QString, Tokenizer> m_shared;
    const Tokenizer& shared(const QString& name)
    {
        auto it = m_shared.find(name);
        if (it == m_shared.end())
            it = m_shared.emplace(name, Tokenizer::fromFile((kSharedTokenizers + name).toStdString())).first;
        return it->second;
    }

private slots:
    void referenceFilesAreTheOnesTheCasesWereMadeWith_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("gpt2") << "gpt2";
        QTest::newRow("neox20b") << "neox20b";
    }
    void referenceFilesAreTheOnesTheCasesWereMadeWith()
    {
        QFETCH(QString, name);
        QFile file(kSharedTokenizers + name + "/tokenizer.json");
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray digest = QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex();
        const Json reference = readJson(kSharedTokenizers + name + "/ref_tokens.json");
        QCOMPARE(digest.toStdString(), reference.at("tokenizer_json_sha256").get<std::string>());
    }

    void matchesHuggingFaceReferences_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QList<qint64>>("ids");
        QTest::addColumn<QStringList>("tokens");
        QTest::addColumn<QString>("decoded");
        int rows = 0;
        for (const QString name : {"gpt2", "neox20b"}) {
            const Json reference = readJson(kSharedTokenizers + name + "/ref_tokens.json");
            for (const Json& c : reference.at("cases")) {
                QString shown = QString::fromStdString(c.at("text")).left(24);
                for (QChar& ch : shown)
                    ch = ch.unicode() < 0x20 ? QChar(0x00B7) : ch; // keep the row name on one line
                const QByteArray label = (name + "/" + QString::number(rows++) + " " + shown).toUtf8();
                QTest::newRow(label.constData())
                    << name << QByteArray::fromStdString(c.at("text").get<std::string>())
                    << toQt(c.at("ids").get<std::vector<int64_t>>()) << toQt(c.at("tokens").get<std::vector<std::string>>())
                    << QString::fromStdString(c.at("decoded").get<std::string>());
            }
        }
        QCOMPARE(rows, 70); // 35 cases per file: none may go missing
    }
    void matchesHuggingFaceReferences()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, text);
        QFETCH(QList<qint64>, ids);
        QFETCH(QStringList, tokens);
        QFETCH(QString, decoded);
        const Tokenizer& tokenizer = shared(name);
        const auto encoding = tokenizer.encodeWithTokens(text.toStdString());
        QCOMPARE(toQt(encoding.ids), ids);
        QCOMPARE(toQt(encoding.tokens), tokens);
        QCOMPARE(toQt(tokenizer.encode(text.toStdString())), ids);
        QCOMPARE(QString::fromStdString(tokenizer.decode(toIds(ids))), decoded);
    }

    void knowsVocabularyAndSpecialTokens()
    {
        const Tokenizer& gpt2 = shared("gpt2");
        QCOMPARE(gpt2.vocabSize(), size_t(50257)); // HF get_vocab_size(true)
        QCOMPARE(gpt2.bosId(), std::optional<int64_t>(50256));
        QCOMPARE(gpt2.eosId(), std::optional<int64_t>(50256));
        QVERIFY(!gpt2.padId());
        QCOMPARE(gpt2.tokenToId("Ġworld"), std::optional<int64_t>(995));
        QCOMPARE(gpt2.idToToken(995), std::optional<std::string>("Ġworld"));
        QVERIFY(!gpt2.idToToken(50257));
        QVERIFY(!gpt2.tokenToId("no such token"));
        // GPT-2's ByteLevel post-processor adds nothing, with special tokens or without.
        QCOMPARE(idsOf(gpt2, " \u180ex", true), QList<qint64>({28053, 254, 236, 87})); // U+180E is no \s in Oniguruma
        QCOMPARE(idsOf(gpt2, " \u0085x", true), QList<qint64>({220, 126, 227, 87})); // U+0085 is
        QCOMPARE(idsOf(gpt2, "ΣΑΣ final sigma ς"), QList<qint64>({138, 96, 138, 239, 138, 96, 2457, 264, 13495, 18074, 224}));

        const Tokenizer& neox = shared("neox20b");
        QCOMPARE(neox.vocabSize(), size_t(50277));
        QCOMPARE(neox.bosId(), std::optional<int64_t>(0));
        QCOMPARE(neox.eosId(), std::optional<int64_t>(0));
        QVERIFY(!neox.padId()); // tokenizer_config.json names none, though <|padding|> exists
        QCOMPARE(neox.decode({0, 12092, 1, 50276, 10186, 0}, true), std::string("Hello  world"));
        QCOMPARE(neox.decode({0, 12092, 1, 50276, 10186, 0}, false),
                 std::string("<|endoftext|>Hello<|padding|>  world<|endoftext|>"));
    }

    void byteLevelHandlesBrokenUtf8BothWays()
    {
        const Tokenizer& gpt2 = shared("gpt2");
        QCOMPARE(idsOf(gpt2, "\xEF\xBF\xBD"), QList<qint64>({4210}));
        QCOMPARE(idsOf(gpt2, "a\xFF" "b"), QList<qint64>({64, 4210, 65})); // read as U+FFFD
        QCOMPARE(gpt2.decode({47249}), std::string("\xEF\xBF\xBD")); // 3 of the 4 bytes of 😀: one U+FFFD
        QCOMPARE(gpt2.decode({47249, 47249, 222}), std::string("\xEF\xBF\xBD😀"));
        QCOMPARE(gpt2.decode({222, 64}), std::string("\xEF\xBF\xBD" "a"));
        QCOMPARE(gpt2.decode({50256, 31373, 50256}, true), std::string("hello"));
    }

    void normalizers_data()
    {
        QTest::addColumn<QByteArray>("normalizer");
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("NFKC") << QByteArray(R"({"type":"NFKC"})") << QByteArray("ｆｕｌｌ①ﬁ") << QByteArray("full1fi");
        QTest::newRow("NFC") << QByteArray(R"({"type":"NFC"})") << QByteArray("e\u0301 vs \u00e9") << QByteArray("\u00e9 vs \u00e9");
        QTest::newRow("Lowercase per character") << QByteArray(R"({"type":"Lowercase"})") << QByteArray("HeLLo ΣΑΣ İstanbul")
                                                 << QByteArray("hello σασ i\u0307stanbul");
        QTest::newRow("Replace string") << QByteArray(R"({"type":"Replace","pattern":{"String":" "},"content":"▁"})")
                                        << QByteArray("a b  c") << QByteArray("a▁b▁▁c");
        QTest::newRow("Replace regex") << QByteArray(R"({"type":"Replace","pattern":{"Regex":"\\s+"},"content":" "})")
                                       << QByteArray("a \t\n b") << QByteArray("a b");
        QTest::newRow("Strip both") << QByteArray(R"({"type":"Strip","strip_left":true,"strip_right":true})")
                                    << QByteArray("  hi there \n") << QByteArray("hi there");
        QTest::newRow("Strip left") << QByteArray(R"({"type":"Strip","strip_left":true,"strip_right":false})")
                                    << QByteArray("  hi there \n") << QByteArray("hi there \n");
        QTest::newRow("Strip right") << QByteArray(R"({"type":"Strip","strip_left":false,"strip_right":true})")
                                     << QByteArray("  hi there \n") << QByteArray("  hi there");
        QTest::newRow("Prepend") << QByteArray(R"({"type":"Prepend","prepend":"▁"})") << QByteArray("hi") << QByteArray("▁hi");
        QTest::newRow("Sequence") << QByteArray(R"({"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"},
            {"type":"Replace","pattern":{"String":" "},"content":"▁"}]})") << QByteArray("Hello world") << QByteArray("▁Hello▁world");
        QTest::newRow("NFD + StripAccents") << QByteArray(R"({"type":"Sequence","normalizers":[{"type":"NFD"},{"type":"StripAccents"}]})")
                                            << QByteArray("café naïve") << QByteArray("cafe naive");
    }
    void normalizers()
    {
        QFETCH(QByteArray, normalizer);
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, expected);
        const Tokenizer tokenizer = load(wordTokenizerJson({expected.toStdString()}, {{"normalizer", Json::parse(normalizer.toStdString())}}));
        QCOMPARE(tokensOf(tokenizer, text.toStdString()), QStringList({QString::fromUtf8(expected)}));
    }

    void preTokenizers_data()
    {
        QTest::addColumn<QByteArray>("preTokenizer");
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QStringList>("pieces");
        const auto split = [](const char* pattern, const char* behavior, bool invert = false) {
            return QByteArray::fromStdString(Json({{"type", "Split"}, {"pattern", Json::parse(pattern)}, {"behavior", behavior}, {"invert", invert}}).dump());
        };
        QTest::newRow("Split isolated") << split(R"({"Regex":"[0-9]+"})", "Isolated") << QByteArray("ab12cd345") << QStringList{"ab", "12", "cd", "345"};
        QTest::newRow("Split removed") << split(R"({"Regex":"[0-9]+"})", "Removed") << QByteArray("ab12cd345") << QStringList{"ab", "cd"};
        QTest::newRow("Split merged with previous") << split(R"({"String":"-"})", "MergedWithPrevious") << QByteArray("a-b--c-") << QStringList{"a-", "b-", "-", "c-"};
        QTest::newRow("Split merged with next") << split(R"({"String":"-"})", "MergedWithNext") << QByteArray("a-b--c-") << QStringList{"a", "-b", "-", "-c", "-"};
        QTest::newRow("Split contiguous") << split(R"({"String":"-"})", "Contiguous") << QByteArray("a-b--c-") << QStringList{"a", "-", "b", "--", "c", "-"};
        QTest::newRow("Split inverted") << split(R"({"Regex":"[a-z]+"})", "Removed", true) << QByteArray("ab, cd!ef") << QStringList{"ab", "cd", "ef"};
        QTest::newRow("Split empty matches (onig order)") << split(R"({"Regex":"x*"})", "MergedWithNext") << QByteArray("xxab") << QStringList{"xxa", "b"};
        QTest::newRow("Oniguruma \\w has marks") << split(R"({"Regex":"\\w+"})", "Isolated") << QByteArray("e\u0301t\u00e9_\u2160 x") << QStringList{"e\u0301t\u00e9_\u2160", " ", "x"};
        QTest::newRow("Oniguruma \\s is White_Space") << split(R"({"Regex":"\\s"})", "Removed") << QByteArray("a\u0085b\u180ec\u00a0d") << QStringList{"a", "b\u180ec", "d"};
        QTest::newRow("Oniguruma \\b on its \\w") << split(R"({"Regex":"a\\b"})", "Isolated") << QByteArray("a\u0301 a_ a") << QStringList{"a\u0301 a_ ", "a"};
        QTest::newRow("Oniguruma \\B on its \\w") << split(R"({"Regex":"\\Bb"})", "Isolated") << QByteArray("ab \u0301b b") << QStringList{"a", "b", " \u0301", "b", " b"};
        QTest::newRow("Oniguruma (?m) is dotall") << split(R"({"Regex":"(?m)a.b"})", "Isolated") << QByteArray("xa\nby") << QStringList{"x", "a\nb", "y"};
        QTest::newRow("Digits grouped") << QByteArray(R"({"type":"Digits","individual_digits":false})") << QByteArray("a123b4٣") << QStringList{"a", "123", "b", "4٣"};
        QTest::newRow("Digits individual") << QByteArray(R"({"type":"Digits","individual_digits":true})") << QByteArray("a123b4٣") << QStringList{"a", "1", "2", "3", "b", "4", "٣"};
        QTest::newRow("Whitespace") << QByteArray(R"({"type":"Whitespace"})") << QByteArray("Hello, world!! a_b e\u0301x") << QStringList{"Hello", ",", "world", "!!", "a_b", "e\u0301x"};
        QTest::newRow("WhitespaceSplit") << QByteArray(R"({"type":"WhitespaceSplit"})") << QByteArray(" Hello,  world!!\u3000ok ") << QStringList{"Hello,", "world!!", "ok"};
        QTest::newRow("Punctuation") << QByteArray(R"({"type":"Punctuation"})") << QByteArray("hi, there!! $5") << QStringList{"hi", ",", " there", "!", "!", " ", "$", "5"};
        QTest::newRow("Punctuation contiguous") << QByteArray(R"({"type":"Punctuation","behavior":"Contiguous"})") << QByteArray("hi, there!! $5") << QStringList{"hi", ",", " there", "!!", " ", "$", "5"};
        QTest::newRow("Metaspace always") << QByteArray(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true})") << QByteArray(" hi  there") << QStringList{"▁hi", "▁", "▁there"};
        QTest::newRow("Metaspace first") << QByteArray(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":true})") << QByteArray("hi  there") << QStringList{"▁hi", "▁", "▁there"};
        QTest::newRow("Metaspace never") << QByteArray(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"never","split":true})") << QByteArray("hi  there") << QStringList{"hi", "▁", "▁there"};
        QTest::newRow("Metaspace unsplit") << QByteArray(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":false})") << QByteArray("hi  there") << QStringList{"▁hi▁▁there"};
        QTest::newRow("ByteLevel prefix, no regex") << QByteArray(R"({"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":false})") << QByteArray("hi there") << QStringList{"ĠhiĠthere"};
        QTest::newRow("Sequence Split + ByteLevel") << QByteArray(R"({"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"\\p{N}{1,3}"},"behavior":"Isolated","invert":false},
            {"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":false}]})") << QByteArray("año 12345") << QStringList{"aÃ±oĠ", "123", "45"};
    }
    void preTokenizers()
    {
        QFETCH(QByteArray, preTokenizer);
        QFETCH(QByteArray, text);
        QFETCH(QStringList, pieces);
        std::vector<std::string> words;
        for (const QString& piece : pieces)
            words.push_back(piece.toStdString());
        const Tokenizer tokenizer = load(wordTokenizerJson(words, {{"pre_tokenizer", Json::parse(preTokenizer.toStdString())}}));
        QCOMPARE(tokensOf(tokenizer, text.toStdString()), pieces);
    }

    void addedTokenOptions_data();
    void addedTokenOptions();
    void addedTokenIdsFollowHuggingFace();
    void normalizedAddedTokensDecodeInNormalizedForm();
    void byteFallbackWithLlamaDecoders();
    void unknownTokens();
    void ignoreMerges();
    void metaspaceFirstCountsFromTheInputStart();
    void postProcessorsAddSpecialTokensOnlyWhenAsked();
    void truncationAndPadding();
    void tokenizerConfigNamesSpecialTokens();
    void encodesFromSeveralThreads();
    void unsupportedFeaturesAreNamed_data();
    void unsupportedFeaturesAreNamed();
    void malformedFilesAreNamed();
};

void TestTokenizer::addedTokenOptions_data()
{
    QTest::addColumn<QByteArray>("addedTokens");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("tokens");
    // The cases of Hugging Face's own added_vocabulary tests, all with a Lowercase normalizer.
    QTest::newRow("lstrip rstrip normalized special") << QByteArray(R"([{"content":"[CLS]","special":true,"normalized":false},
        {"content":"[SEP]","special":true,"normalized":false},{"content":"my","lstrip":true,"rstrip":true},{"content":"name"},
        {"content":"ony","single_word":true}])") << QByteArray("[CLS] My name is Anthony [SEP]")
        << QStringList{"[CLS]", " my ", "name", " is anthony ", "[SEP]"};
    QTest::newRow("single_word") << QByteArray(R"([{"content":"<mask>","single_word":true}])")
        << QByteArray("<mask> My name <mask> A<mask> <mask>ony <mask>")
        << QStringList{"<mask>", " my name ", "<mask>", " a<mask> <mask>ony ", "<mask>"};
    QTest::newRow("single_word, marks are word characters") << QByteArray(R"([{"content":"<mask>","single_word":true}])")
        << QByteArray("<mask>, <mask>- \u25cc\u0330<mask>") << QStringList{"<mask>", ", ", "<mask>", "- \u25cc\u0330<mask>"};
    QTest::newRow("lstrip rstrip Unicode spaces") << QByteArray(R"([{"content":"<mask>","single_word":true,"lstrip":true,"rstrip":true}])")
        << QByteArray("Hi <mask> there\t<mask>\t<mask>\u2000") << QStringList{"hi", " <mask> ", "there", "\t<mask>\t", "<mask>\u2000"};
    QTest::newRow("normalized false matches raw text only") << QByteArray(R"([{"content":"ABC","normalized":false},{"content":"XyZ"}])")
        << QByteArray("ABC abc XYZ xyz") << QStringList{"ABC", " abc ", "xyz", " ", "xyz"};
    QTest::newRow("leftmost longest") << QByteArray(R"([{"content":"ab"},{"content":"abc"},{"content":"bcd"}])")
        << QByteArray("xabcdabx") << QStringList{"x", "abc", "d", "ab", "x"};
}

void TestTokenizer::addedTokenOptions()
{
    QFETCH(QByteArray, addedTokens);
    QFETCH(QByteArray, text);
    QFETCH(QStringList, tokens);
    Json added = Json::parse(addedTokens.toStdString());
    for (Json& token : added) {
        Json complete = addedToken(0, token.at("content").get<std::string>(), {{"normalized", true}});
        complete.update(token);
        token = complete;
    }
    std::vector<std::string> words;
    for (const QString& token : tokens)
        words.push_back(token.toStdString());
    const Tokenizer tokenizer = load(wordTokenizerJson(words, {{"normalizer", {{"type", "Lowercase"}}}, {"added_tokens", added}}));
    QCOMPARE(tokensOf(tokenizer, text.toStdString()), tokens);
}

void TestTokenizer::addedTokenIdsFollowHuggingFace()
{
    // HF keeps a file id only when the content is in the model; others are numbered from the model's size.
    const Tokenizer tokenizer = load(tokenizerJson(bpeModel({{"a", 0}, {"b", 1}, {"c", 2}}),
        {{"added_tokens", {addedToken(10, "<x>", {{"special", true}}), addedToken(1, "b"), addedToken(5, "<y>")}}}));
    QCOMPARE(idsOf(tokenizer, "a<x>b<y>c"), QList<qint64>({0, 3, 1, 4, 2}));
    QCOMPARE(tokenizer.tokenToId("<x>"), std::optional<int64_t>(3));
    QCOMPARE(tokenizer.vocabSize(), size_t(5));
    QCOMPARE(tokenizer.decode({0, 10, 1, 5, 3, 2}), std::string("a b <x> c")); // no decoder: joined by spaces
    QCOMPARE(tokenizer.decode({0, 10, 1, 5, 3, 2}, true), std::string("a b c"));
}

void TestTokenizer::normalizedAddedTokensDecodeInNormalizedForm()
{
    // HF 0.23 decodes a normalized added token as the normalizer wrote it, and then no longer
    // recognises it as special: skip_special_tokens keeps "hello" but drops "<B>".
    const Json special = {{"special", true}};
    const Tokenizer tokenizer = load(tokenizerJson(bpeModel({{"a", 0}}),
        {{"normalizer", {{"type", "Lowercase"}}},
         {"added_tokens", {addedToken(1, "HELLO", {{"special", true}, {"normalized", true}}), addedToken(2, "<B>", special)}}}));
    QCOMPARE(tokensOf(tokenizer, "aHeLLo<B>a<b>"), QStringList({"a", "hello", "<B>", "a"}));
    QCOMPARE(tokenizer.decode({0, 1, 2, 0}), std::string("a hello <B> a"));
    QCOMPARE(tokenizer.decode({0, 1, 2, 0}, true), std::string("a hello a"));
    QCOMPARE(tokenizer.idToToken(1), std::optional<std::string>("hello"));
    QCOMPARE(tokenizer.tokenToId("HELLO"), std::optional<int64_t>(1));
    QVERIFY(!tokenizer.tokenToId("hello"));
}

void TestTokenizer::byteFallbackWithLlamaDecoders()
{
    const Tokenizer llama = load(llamaLikeJson());
    QCOMPARE(tokensOf(llama, "Hi there 😀!"), QStringList({"▁Hi", "▁there", "▁", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "<0x21>"}));
    QCOMPARE(idsOf(llama, "Hi there 😀!"), QList<qint64>({274, 272, 259, 243, 162, 155, 131, 36}));
    QCOMPARE(idsOf(llama, "Hi there 😀!", true), QList<qint64>({1, 274, 272, 259, 243, 162, 155, 131, 36, 2}));
    QCOMPARE(tokensOf(llama, "<s>Hi</s>there"), QStringList({"<s>", "▁Hi", "</s>", "▁there"}));
    QCOMPARE(llama.decode({1, 273, 243, 162, 155, 131, 2}), std::string("<s>Hi😀</s>"));
    QCOMPARE(llama.decode({1, 273, 243, 162, 155, 131, 2}, true), std::string("Hi😀"));
    QCOMPARE(llama.decode({273, 243, 162, 274}), std::string("Hi\uFFFD\uFFFD Hi")); // one U+FFFD per stray byte
    QCOMPARE(llama.decode({1, 999, 273}), std::string("<s>Hi")); // unknown ids are skipped
    QCOMPARE(llama.bosId(), std::optional<int64_t>(1)); // no tokenizer_config.json: found by name
    QCOMPARE(llama.eosId(), std::optional<int64_t>(2));
}

void TestTokenizer::unknownTokens()
{
    const auto withUnknown = [](bool fuse, Json unknown) {
        return load(tokenizerJson(bpeModel({{"<unk>", 0}, {"a", 1}, {"b", 2}, {"ab", 3}}, Json::parse(R"([["a","b"]])"),
                                           {{"unk_token", unknown}, {"fuse_unk", fuse}})));
    };
    QCOMPARE(idsOf(withUnknown(true, "<unk>"), "abxyab"), QList<qint64>({3, 0, 3}));
    QCOMPARE(idsOf(withUnknown(false, "<unk>"), "abxyab"), QList<qint64>({3, 0, 0, 3}));
    QCOMPARE(idsOf(withUnknown(false, nullptr), "abxyab"), QList<qint64>({3, 3})); // HF drops what it cannot spell
}

void TestTokenizer::ignoreMerges()
{
    const auto model = [](bool ignore) {
        return load(tokenizerJson(bpeModel({{"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"abc", 4}, {"bc", 5}},
                                           Json::parse(R"([["b","c"],["a","b"]])"), {{"ignore_merges", ignore}})));
    };
    QCOMPARE(tokensOf(model(false), "abc"), QStringList({"a", "bc"}));
    QCOMPARE(tokensOf(model(true), "abc"), QStringList({"abc"}));
}

void TestTokenizer::metaspaceFirstCountsFromTheInputStart()
{
    const Json metaspace = Json::parse(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":true})");
    const Tokenizer tokenizer = load(tokenizerJson(
        bpeModel({{"▁hi", 0}, {"hi", 1}, {"▁there", 2}, {"▁", 3}, {"x", 4}}, Json::array(), {{"ignore_merges", true}}),
        {{"added_tokens", {addedToken(5, "<s>", {{"special", true}})}}, {"pre_tokenizer", metaspace}, {"decoder", metaspace}}));
    QCOMPARE(tokensOf(tokenizer, "hi there"), QStringList({"▁hi", "▁there"}));
    QCOMPARE(tokensOf(tokenizer, "<s>hi there"), QStringList({"<s>", "hi", "▁there"}));
    QCOMPARE(tokensOf(tokenizer, "hi<s>hi"), QStringList({"▁hi", "<s>", "hi"}));
    QCOMPARE(tokenizer.decode({0, 2, 5, 1, 3, 0}), std::string("hi there<s>hi  hi"));
}

void TestTokenizer::postProcessorsAddSpecialTokensOnlyWhenAsked()
{
    const auto withProcessor = [](const char* processor) {
        return load(tokenizerJson(bpeModel({{"[CLS]", 0}, {"[SEP]", 1}, {"a", 2}}),
            {{"added_tokens", {addedToken(0, "[CLS]", {{"special", true}}), addedToken(1, "[SEP]", {{"special", true}})}},
             {"post_processor", Json::parse(processor)}}));
    };
    for (const char* processor : {R"({"type":"BertProcessing","sep":["[SEP]",1],"cls":["[CLS]",0]})",
                                  R"({"type":"RobertaProcessing","sep":["[SEP]",1],"cls":["[CLS]",0],"trim_offsets":true,"add_prefix_space":true})",
                                  R"({"type":"Sequence","processors":[{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false},
                                      {"type":"BertProcessing","sep":["[SEP]",1],"cls":["[CLS]",0]}]})"}) {
        const Tokenizer tokenizer = withProcessor(processor);
        QCOMPARE(idsOf(tokenizer, "aa", true), QList<qint64>({0, 2, 2, 1}));
        QCOMPARE(idsOf(tokenizer, "aa", false), QList<qint64>({2, 2}));
    }
    const Tokenizer llama = load(llamaLikeJson());
    QCOMPARE(idsOf(llama, "", true), QList<qint64>({1, 2}));
    QCOMPARE(idsOf(llama, "", false), QList<qint64>());
}

void TestTokenizer::truncationAndPadding()
{
    Json json = tokenizerJson(bpeModel({{"[CLS]", 0}, {"[SEP]", 1}, {"a", 2}}),
        {{"added_tokens", {addedToken(0, "[CLS]", {{"special", true}}), addedToken(1, "[SEP]", {{"special", true}})}},
         {"post_processor", Json::parse(R"({"type":"BertProcessing","sep":["[SEP]",1],"cls":["[CLS]",0]})")},
         {"truncation", Json::parse(R"({"direction":"Left","max_length":4,"strategy":"LongestFirst","stride":0})")},
         {"padding", Json::parse(R"({"strategy":{"Fixed":6},"direction":"Left","pad_to_multiple_of":null,"pad_id":1,"pad_type_id":0,"pad_token":"[SEP]"})")}});
    const Tokenizer tokenizer = load(json);
    QCOMPARE(idsOf(tokenizer, "aaaaa", true), QList<qint64>({1, 1, 0, 2, 2, 1}));
    QCOMPARE(idsOf(tokenizer, "aaaaa", false), QList<qint64>({1, 1, 2, 2, 2, 2}));
    QCOMPARE(idsOf(tokenizer, "a", false), QList<qint64>({1, 1, 1, 1, 1, 2}));
}

void TestTokenizer::tokenizerConfigNamesSpecialTokens()
{
    const Tokenizer tokenizer = load(llamaLikeJson(), R"({"bos_token":{"__type":"AddedToken","content":"</s>"},
        "eos_token":"<s>","pad_token":"<unk>"})");
    QCOMPARE(tokenizer.bosId(), std::optional<int64_t>(2));
    QCOMPARE(tokenizer.eosId(), std::optional<int64_t>(1));
    QCOMPARE(tokenizer.padId(), std::optional<int64_t>(0));
    QVERIFY(!load(llamaLikeJson(), R"({"bos_token":null})").bosId());
}

void TestTokenizer::encodesFromSeveralThreads()
{
    const Tokenizer& neox = shared("neox20b");
    const Json reference = readJson(kSharedTokenizers + "neox20b/ref_tokens.json");
    std::vector<int> failures(4, 0);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < failures.size(); ++t)
        threads.emplace_back([&, t] {
            for (int round = 0; round < 20; ++round)
                for (const Json& c : reference.at("cases"))
                    failures[t] += neox.encode(c.at("text").get<std::string>()) != c.at("ids").get<std::vector<int64_t>>();
        });
    for (auto& thread : threads)
        thread.join();
    QCOMPARE(failures, std::vector<int>(4, 0));
}

void TestTokenizer::unsupportedFeaturesAreNamed_data()
{
    QTest::addColumn<QByteArray>("component");
    QTest::addColumn<QByteArray>("spec");
    QTest::addColumn<QString>("named");
    QTest::newRow("normalizer") << QByteArray("normalizer") << QByteArray(R"({"type":"BertNormalizer","lowercase":true})") << "BertNormalizer";
    QTest::newRow("pre-tokenizer") << QByteArray("pre_tokenizer") << QByteArray(R"({"type":"UnicodeScripts"})") << "UnicodeScripts";
    QTest::newRow("nested pre-tokenizer") << QByteArray("pre_tokenizer") << QByteArray(R"({"type":"Sequence","pretokenizers":[{"type":"Whitespace"},{"type":"BertPreTokenizer"}]})") << "pre_tokenizer.pretokenizers[1]";
    QTest::newRow("decoder") << QByteArray("decoder") << QByteArray(R"({"type":"WordPiece","prefix":"##","cleanup":true})") << "decoder type 'WordPiece'";
    QTest::newRow("post-processor") << QByteArray("post_processor") << QByteArray(R"({"type":"Unknown"})") << "post_processor type 'Unknown'";
    QTest::newRow("model") << QByteArray("model") << QByteArray(R"({"type":"WordPiece","vocab":{"a":0},"unk_token":"a"})") << "model type 'WordPiece'";
    QTest::newRow("BPE dropout") << QByteArray("model") << QByteArray(R"({"type":"BPE","dropout":0.1,"vocab":{"a":0},"merges":[]})") << "BPE dropout";
    QTest::newRow("regex syntax") << QByteArray("pre_tokenizer") << QByteArray(R"({"type":"Split","pattern":{"Regex":"[a-z&&[^aeiou]]"},"behavior":"Isolated"})") << "intersections";
    QTest::newRow("bad regex") << QByteArray("normalizer") << QByteArray(R"({"type":"Replace","pattern":{"Regex":"(a"},"content":""})") << "normalizer.pattern";
    QTest::newRow("bad behavior") << QByteArray("pre_tokenizer") << QByteArray(R"({"type":"Punctuation","behavior":"Sideways"})") << "Sideways";
}

void TestTokenizer::unsupportedFeaturesAreNamed()
{
    QFETCH(QByteArray, component);
    QFETCH(QByteArray, spec);
    QFETCH(QString, named);
    Json json = tokenizerJson(bpeModel({{"a", 0}}));
    json[component.toStdString()] = Json::parse(spec.toStdString());
    try {
        load(json);
        QFAIL("loading succeeded");
    } catch (const EngineError& error) {
        QCOMPARE(QString::fromStdString(error.file()), QString("snippet/tokenizer.json"));
        QVERIFY2(QString::fromStdString(error.detail()).contains(named), error.what());
    }
}

void TestTokenizer::malformedFilesAreNamed()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto write = [&](const QString& name, const QByteArray& contents) {
        QFile file(dir.filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(contents);
    };
    const auto failsNaming = [](const QString& path, const QString& file, const QString& detail) {
        try {
            Tokenizer::fromFile(path.toStdString());
        } catch (const EngineError& error) {
            return QString::fromStdString(error.file()) == file && QString::fromStdString(error.detail()).contains(detail);
        }
        return false;
    };
    QVERIFY(failsNaming(dir.filePath("missing.json"), dir.filePath("missing.json"), "no such file"));
    QVERIFY(failsNaming(dir.path(), dir.path(), "no tokenizer.json"));
    write("broken.json", "{\"model\": {\"type\": \"BPE\",");
    QVERIFY(failsNaming(dir.filePath("broken.json"), dir.filePath("broken.json"), "not valid JSON"));
    write("nomodel.json", "{\"version\": \"1.0\"}");
    QVERIFY(failsNaming(dir.filePath("nomodel.json"), dir.filePath("nomodel.json"), "missing field 'model'"));
    write("badmerge.json", QByteArray::fromStdString(tokenizerJson(bpeModel({{"a", 0}}, Json::parse(R"(["a b"])"))).dump()));
    QVERIFY(failsNaming(dir.filePath("badmerge.json"), dir.filePath("badmerge.json"), "model.merges[0]: token 'b'"));
    write("badid.json", QByteArray::fromStdString(tokenizerJson(bpeModel({{"a", "zero"}})).dump()));
    QVERIFY(failsNaming(dir.filePath("badid.json"), dir.filePath("badid.json"), "model.vocab"));
    write("tokenizer.json", QByteArray::fromStdString(tokenizerJson(bpeModel({{"a", 0}})).dump()));
    write("tokenizer_config.json", "[1, 2");
    QVERIFY(failsNaming(dir.path(), dir.filePath("tokenizer_config.json"), "not valid JSON"));
    write("tokenizer_config.json", "{\"eos_token\": \"a\"}");
    QCOMPARE(Tokenizer::fromFile(dir.path().toStdString()).eosId(), std::optional<int64_t>(0));
}

QTEST_GUILESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"
