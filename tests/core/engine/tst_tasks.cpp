// Task specs, data files and prompt rendering: every built-in spec parses and renders each of
// its formats with a demonstration exactly as the study's scripts build it (prompt + answer +
// separator), spec mistakes are named, data files are read relative to the spec (JSONL and
// CSV), few-shot sampling is seeded, and each kind of bad data names its file and line.

#include "EvalTestSupport.h"

#include "engine/EngineError.h"
#include "engine/eval/PromptFewShot.h"
#include "engine/eval/PromptTemplate.h"
#include "engine/eval/TaskData.h"
#include "engine/eval/TaskSpec.h"

#include <QDirIterator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace ckptlab;
using namespace ckptlab::engine;
using nlohmann::json;

namespace {

QString builtinSpec(const QString& name)
{
    return QStringLiteral(CKPTLAB_SOURCE_DIR "/resources/tasks/") + name + ".json";
}

const char* kNliSpec = R"({
  "name": "nli", "kind": "classification", "fields": ["premise", "hypothesis"],
  "label_words": ["entailment", "neutral", "contradiction"],
  "label_map": {"0": "entailment", "1": "neutral", "2": "contradiction"},
  "formats": {"default": "P: {premise} H: {hypothesis} A: "}, "eval": "eval.jsonl"
})";

const char* kChoiceSpec = R"({
  "name": "mc", "kind": "multiple_choice", "fields": ["question", "choices"],
  "choices_field": "choices.text", "answer_field": "answerKey", "answer_keys_field": "choices.label",
  "formats": {"default": "Q: {question}\nA:"}, "eval": "eval.jsonl"
})";

const char* kGenerationSpec = R"({
  "name": "gen", "kind": "generation", "fields": ["document"], "target_field": "summary",
  "formats": {"default": "{document} Summary: "}, "eval": "eval.jsonl"
})";

const char* kThresholdSpec = R"({
  "name": "sts", "kind": "classification", "fields": ["a", "b"], "label_words": ["yes", "no"],
  "label_threshold": {"value": 3.5, "above": "yes", "otherwise": "no"},
  "formats": {"default": "{a} {b}?"}, "eval": "eval.jsonl"
})";

} // namespace

class TestTasks : public QObject {
    Q_OBJECT

private slots:
    void builtinFormatsRenderLikeTheStudy_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("format");
        QTest::addColumn<QByteArray>("demo");
        QTest::addColumn<QByteArray>("item");
        QTest::addColumn<QString>("expected");

        const QByteArray nliDemo = R"({"premise": "P1", "hypothesis": "H1", "label": 0})";
        const QByteArray nliItem = R"({"premise": "P2", "hypothesis": "H2", "label": 2})";
        for (const char* name : {"mnli_matched", "mnli_mismatched", "gpt3nli", "rte"}) {
            const bool pairNames = QByteArray(name) == "rte";
            const bool textAB = QByteArray(name) == "gpt3nli";
            QByteArray demo = nliDemo, item = pairNames ? QByteArray(R"({"premise": "P2", "hypothesis": "H2", "label": 1})") : nliItem;
            if (pairNames) {
                demo.replace("premise", "sentence1").replace("hypothesis", "sentence2");
                item.replace("premise", "sentence1").replace("hypothesis", "sentence2");
            } else if (textAB) {
                demo.replace("premise", "text_a").replace("hypothesis", "text_b");
                item.replace("premise", "text_a").replace("hypothesis", "text_b");
            }
            QTest::addRow("%s default", name) << name << "default" << demo << item
                << "### Input_1: P1\n ### Input_2: H1\n ### Inference: entailment\n### Input_1: P2\n ### Input_2: H2\n ### Inference: ";
            QTest::addRow("%s instruct", name) << name << "instruct" << demo << item
                << "Consider the following texts: Text 1: P1 Text 2: H1 The relation is entailment\n"
                   "Consider the following texts: Text 1: P2 Text 2: H2 The relation is ";
        }
        for (const char* name : {"mnli_matched", "mnli_mismatched"})
            QTest::addRow("%s inputoutput", name) << name << "inputoutput" << nliDemo << nliItem << "P1 H1entailment\nP2 H2";

        const QByteArray pawsDemo = R"({"sentence1": "S1", "sentence2": "T1", "label": 1})";
        const QByteArray pawsItem = R"({"sentence1": "S2", "sentence2": "T2", "label": 0})";
        const QString pawsDefault = "### Input_1: S1\n ### Input_2: T1\n ### Paraphrase Classification: yes\n"
                                    "### Input_1: S2\n ### Input_2: T2\n ### Paraphrase Classification: ";
        const QString pawsInstruct = QString::fromUtf8("Let\u2019s compare the two sentences: Sentence_1: S1 Sentence_2: T1 Are they paraphrasing?: yes\n"
                                                       "Let\u2019s compare the two sentences: Sentence_1: S2 Sentence_2: T2 Are they paraphrasing?: ");
        QTest::newRow("paws default") << "paws" << "default" << pawsDemo << pawsItem << pawsDefault;
        QTest::newRow("paws instruct") << "paws" << "instruct" << pawsDemo << pawsItem << pawsInstruct;
        QTest::newRow("paws inputoutput") << "paws" << "inputoutput" << pawsDemo << pawsItem << "S1 T1yes\nS2 T2";
        QByteArray qqpDemo = pawsDemo, qqpItem = pawsItem;
        qqpDemo.replace("sentence1", "text1").replace("sentence2", "text2");
        qqpItem.replace("sentence1", "text1").replace("sentence2", "text2");
        QTest::newRow("qqp default") << "qqp" << "default" << qqpDemo << qqpItem << pawsDefault;
        QTest::newRow("qqp instruct") << "qqp" << "instruct" << qqpDemo << qqpItem << pawsInstruct;
        const QByteArray stsDemo = R"({"text1": "S1", "text2": "T1", "label": 4.2})";
        const QByteArray stsItem = R"({"text1": "S2", "text2": "T2", "label": 1.0})";
        QTest::newRow("stsb default") << "stsb" << "default" << stsDemo << stsItem << pawsDefault;
        QTest::newRow("stsb instruct") << "stsb" << "instruct" << stsDemo << stsItem << pawsInstruct;

        for (const auto& [name, doc, target, io] : std::vector<std::tuple<const char*, const char*, const char*, bool>>{
                 {"xsum", "document", "summary", true}, {"xlsum", "text", "summary", true}, {"cnn", "article", "highlights", false}}) {
            const QByteArray demo = QString(R"({"%1": "D1", "%2": "U1"})").arg(QString(doc), QString(target)).toUtf8();
            const QByteArray item = QString(R"({"%1": "D2", "%2": "U2"})").arg(QString(doc), QString(target)).toUtf8();
            QTest::addRow("%s default", name) << name << "default" << demo << item
                                              << "### Input: D1\n ### Summary: U1\n### Input: D2\n ### Summary: ";
            QTest::addRow("%s instruct", name) << name << "instruct" << demo << item
                << "Please read the following text: D1 Provide a summary: U1\nPlease read the following text: D2 Provide a summary: ";
            if (io)
                QTest::addRow("%s inputoutput", name) << name << "inputoutput" << demo << item << "D1U1\nD2";
        }

        const QByteArray siqaDemo = R"({"context": "C1", "answerA": "a1", "answerB": "b1", "answerC": "c1", "question": "Q1"})";
        const QByteArray siqaItem = R"({"context": "C2", "answerA": "a2", "answerB": "b2", "answerC": "c2", "question": "Q2"})";
        QTest::newRow("socialiqa default") << "socialiqa" << "default" << siqaDemo << siqaItem
            << "### Input: C1\n ### Answer: Answer A: a1 Answer B: b1Answer C: c1\n ### Question: Q1\n"
               "### Input: C2\n ### Answer: Answer A: a2 Answer B: b2Answer C: c2\n ### Question: ";
        QTest::newRow("socialiqa instruct") << "socialiqa" << "instruct" << siqaDemo << siqaItem
            << "Given the context: C1 And the answer: Answer A: a1 Answer B: b1Answer C: c1Generate a suitable question: Q1\n"
               "Given the context: C2 And the answer: Answer A: a2 Answer B: b2Answer C: c2Generate a suitable question: ";
        QTest::newRow("socialiqa inputoutput") << "socialiqa" << "inputoutput" << siqaDemo << siqaItem << "C1a1b1c1Q1\nC2a2b2c2";

        const QByteArray sciqDemo = R"({"support": "S1", "question": "Q1", "correct_answer": "A1", "distractor1": "B1", "distractor2": "C1", "distractor3": "D1"})";
        const QByteArray sciqItem = R"({"support": "S2", "question": "Q2", "correct_answer": "A2", "distractor1": "B2", "distractor2": "C2", "distractor3": "D2"})";
        QTest::newRow("sciq default") << "sciq" << "default" << sciqDemo << sciqItem
            << "### Input: S1\n ### Answer: Answer A: A1 Answer B: B1 Answer C: C1Answer D: D1\n ### Question: Q1\n"
               "### Input: S2\n ### Answer: Answer A: A2 Answer B: B2 Answer C: C2Answer D: D2\n ### Question: ";
        QTest::newRow("sciq instruct") << "sciq" << "instruct" << sciqDemo << sciqItem
            << "Given the context: S1 And the answer: Answer A: A1 Answer B: B1Answer C: C1Answer D: D1Generate a suitable question: Q1\n"
               "Given the context: S2 And the answer: Answer A: A2 Answer B: B2Answer C: C2Answer D: D2Generate a suitable question: ";
        const QByteArray tweetDemo = R"({"Tweet": "T1", "Answer": ["a1", "x"], "Question": "Q1"})";
        const QByteArray tweetItem = R"({"Tweet": "T2", "Answer": ["a2"], "Question": "Q2"})";
        QTest::newRow("tweetqa default") << "tweetqa" << "default" << tweetDemo << tweetItem
            << "### Input: T1\n ### Answer: a1\n ### Question: Q1\n### Input: T2\n ### Answer: a2\n ### Question: ";
        QTest::newRow("tweetqa instruct") << "tweetqa" << "instruct" << tweetDemo << tweetItem
            << "Given the context: T1 And the answer: a1Generate a suitable question: Q1\nGiven the context: T2 And the answer: a2Generate a suitable question: ";

        const QByteArray barDemo = R"({"input": "I1", "output_1": "O1", "output_2": "P1", "label": 2})";
        const QByteArray barItem = R"({"input": "I2", "output_1": "O2", "output_2": "P2", "label": 1})";
        for (const char* name : {"llmbar_Natural", "llmbar_Adversarial_Manual", "llmbar_Adversarial_Neighbor"})
            QTest::addRow("%s default", name) << name << "default" << barDemo << barItem
                << "### Instruction: I1### Output_1: O1\n ### Output_2: P1\n ### Instruction Following: 2\n"
                   "### Instruction: I2### Output_1: O2\n ### Output_2: P2\n ### Instruction Following: ";

        const QByteArray arcDemo = R"({"question": "Q1", "choices": {"text": ["x", "y"], "label": ["A", "B"]}, "answerKey": "B"})";
        const QByteArray arcItem = R"({"question": "Q2", "choices": {"text": ["u", "v", "w"], "label": ["1", "2", "3"]}, "answerKey": "1"})";
        for (const char* name : {"arc_easy", "arc_challenge"})
            QTest::addRow("%s default", name) << name << "default" << arcDemo << arcItem << "Question: Q1\nAnswer: y\n\nQuestion: Q2\nAnswer:";
        QByteArray obDemo = arcDemo, obItem = arcItem;
        obDemo.replace("\"question\"", "\"question_stem\"");
        obItem.replace("\"question\"", "\"question_stem\"");
        QTest::newRow("openbookqa default") << "openbookqa" << "default" << obDemo << obItem << "Q1 y\n\nQ2";
        QTest::newRow("hellaswag default") << "hellaswag" << "default"
            << QByteArray(R"({"activity_label": "L1", "ctx": "C1", "endings": ["e0", "e1"], "label": "1"})")
            << QByteArray(R"({"activity_label": "L2", "ctx": "C2", "endings": ["f0", "f1"], "label": "0"})") << "L1: C1 e1\n\nL2: C2";
        QTest::newRow("boolq default") << "boolq" << "default"
            << QByteArray(R"({"passage": "P1", "question": "q1", "label": 1})")
            << QByteArray(R"({"passage": "P2", "question": "q2", "label": 0})") << "P1\nQuestion: q1?\nAnswer: yes\n\nP2\nQuestion: q2?\nAnswer:";
        QByteArray sciqMcDemo = sciqDemo, sciqMcItem = sciqItem;
        QTest::newRow("sciq_multichoice default") << "sciq_multichoice" << "default" << sciqMcDemo << sciqMcItem
                                                  << "S1\nQuestion: Q1\nAnswer: A1\n\nS2\nQuestion: Q2\nAnswer:";
    }
    void builtinFormatsRenderLikeTheStudy()
    {
        QFETCH(QString, spec);
        QFETCH(QString, format);
        QFETCH(QByteArray, demo);
        QFETCH(QByteArray, item);
        QFETCH(QString, expected);
        LoadedTask task;
        task.spec = parseTaskSpec(builtinSpec(spec).toStdString());
        QCOMPARE(QString::fromStdString(task.spec.name), spec);
        const std::vector<TaskRecord> records{{1, json::parse(demo.toStdString())}, {2, json::parse(item.toStdString())}};
        task.eval = checkTaskRecords(task.spec, records, "inline.jsonl");
        const FewShotPrompts prompts = renderFewShotPrompts(task, format.toStdString(), 1, FewShotSource::FirstEval, 0, 0);
        QCOMPARE(prompts.prompts.size(), size_t(2));
        QCOMPARE(QString::fromStdString(prompts.prompts[1]), expected);
        QCOMPARE(prompts.demoLines, std::vector<int64_t>{1});
    }

    // Every (built-in spec, format) pair has a row above, and nothing else is shipped.
    void everyBuiltinFormatIsCovered()
    {
        QSet<QString> shipped;
        QDirIterator it(QStringLiteral(CKPTLAB_SOURCE_DIR "/resources/tasks"), {"*.json"});
        while (it.hasNext()) {
            const QString path = it.next();
            const TaskSpec spec = parseTaskSpec(path.toStdString());
            QCOMPARE(QFileInfo(path).completeBaseName(), QString::fromStdString(spec.name));
            QVERIFY(spec.evalFile.empty() && spec.trainFile.empty()); // templates only
            for (const std::string& f : spec.formatNames())
                shipped.insert(QString::fromStdString(spec.name + " " + f));
        }
        QCOMPARE(shipped.size(), 41);
        QVERIFY(shipped.contains("mnli_matched inputoutput") && shipped.contains("xsum instruct")
                && shipped.contains("socialiqa inputoutput") && shipped.contains("paws default"));
    }

    void specMistakesAreNamed_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{") << "not valid JSON";
        QTest::newRow("unknown key") << QByteArray(R"({"name": "t", "kind": "generation", "target_field": "y", "formats": {"d": "x"}, "fromat": 1})") << "\"fromat\": unknown key";
        QTest::newRow("bad kind") << QByteArray(R"({"name": "t", "kind": "ranking", "formats": {"d": "x"}})") << "\"kind\"";
        QTest::newRow("metric for another kind") << QByteArray(R"({"name": "t", "kind": "classification", "metric": "rouge_l", "label_words": ["a", "b"], "formats": {"d": "x"}})") << "\"metric\"";
        QTest::newRow("placeholder not a field") << QByteArray(R"({"name": "t", "kind": "generation", "target_field": "y", "fields": ["a"], "formats": {"d": "{a} {b}"}})") << "uses {b}";
        QTest::newRow("unclosed placeholder") << QByteArray(R"({"name": "t", "kind": "generation", "target_field": "y", "fields": ["a"], "formats": {"d": "{a"}})") << "not closed";
        QTest::newRow("lone brace") << QByteArray(R"({"name": "t", "kind": "generation", "target_field": "y", "formats": {"d": "x}"}})") << "lone '}'";
        QTest::newRow("one label word") << QByteArray(R"({"name": "t", "kind": "classification", "label_words": ["a"], "formats": {"d": "x"}})") << "\"label_words\"";
        QTest::newRow("label map to a non-word") << QByteArray(R"({"name": "t", "kind": "classification", "label_words": ["a", "b"], "label_map": {"0": "c"}, "formats": {"d": "x"}})") << "\"label_map\"";
        QTest::newRow("choices twice") << QByteArray(R"({"name": "t", "kind": "multiple_choice", "choices": ["a", "b"], "choices_field": "c", "answer_index": 0, "formats": {"d": "x"}})") << "exactly one of \"choices_field\"";
        QTest::newRow("no answer") << QByteArray(R"({"name": "t", "kind": "multiple_choice", "choices": ["a", "b"], "formats": {"d": "x"}})") << "\"answer_field\"";
        QTest::newRow("no target") << QByteArray(R"({"name": "t", "kind": "generation", "formats": {"d": "x"}})") << "\"target_field\": is required";
        QTest::newRow("no formats") << QByteArray(R"({"name": "t", "kind": "generation", "target_field": "y"})") << "\"formats\"";
        QTest::newRow("default format missing") << QByteArray(R"({"name": "t", "kind": "generation", "target_field": "y", "formats": {"a": "x", "b": "y"}})") << "\"default_format\"";
        QTest::newRow("bad generation option") << QByteArray(R"({"name": "t", "kind": "generation", "target_field": "y", "formats": {"d": "x"}, "generation": {"max_new_tokens": 0}})") << "\"generation\"";
        QTest::newRow("bad path") << QByteArray(R"({"name": "t", "kind": "generation", "target_field": "y[x]", "formats": {"d": "x"}})") << "\"target_field\"";
    }
    void specMistakesAreNamed()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        try {
            parseTaskSpecText(text.toStdString(), "spec.json");
            QFAIL("no error");
        } catch (const EngineError& e) {
            QCOMPARE(QString::fromStdString(e.file()), QString("spec.json"));
            QVERIFY2(QString::fromStdString(e.detail()).contains(expected), e.what());
        }
    }

    void unknownFormatIsNamed()
    {
        const TaskSpec spec = parseTaskSpec(builtinSpec("mnli_matched").toStdString());
        try {
            spec.formatTemplate("fancy");
            QFAIL("no error");
        } catch (const EngineError& e) {
            QVERIFY2(QString(e.what()).contains("no prompt format \"fancy\"") && QString(e.what()).contains("instruct"), e.what());
        }
    }

    void templatesRenderPathsAndValues()
    {
        const json record = json::parse(R"({"a": "x", "n": 3, "f": 2.5, "b": true, "list": ["p", "q"],
                                             "obj": {"k": ["z"]}, "nul": null})");
        QCOMPARE(PromptTemplate("{a}|{n}|{f}|{b}|{list[1]}|{obj.k[0]}").render(record), std::string("x|3|2.5|true|q|z"));
        QCOMPARE(PromptTemplate("{{literal}} {a}}}").render(record), std::string("{literal} x}"));
        QCOMPARE(PromptTemplate("{a}{a}").placeholders(), (std::vector<std::string>{"a", "a"}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, PromptTemplate("{missing}").render(record));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, PromptTemplate("{list}").render(record));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, PromptTemplate("{nul}").render(record));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, PromptTemplate("{list[2]}").render(record));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, PromptTemplate("{}"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, PromptTemplate("{a.}"));
    }

    void dataFilesAreRelativeToTheSpec()
    {
        QTemporaryDir dir;
        const QString root = dir.path();
        test::writeTextFile(root + "/tasks/nli.json", R"({
          "name": "nli", "kind": "classification", "fields": ["premise", "hypothesis"],
          "label_words": ["entailment", "neutral", "contradiction"],
          "label_map": {"0": "entailment", "1": "neutral", "2": "contradiction"},
          "formats": {"default": "P: {premise} H: {hypothesis} A: "},
          "eval": "data/eval.jsonl", "train": "data/train.csv"
        })");
        test::writeTextFile(root + "/tasks/data/eval.jsonl",
                            "{\"premise\": \"a\", \"hypothesis\": \"b\", \"label\": 0}\n\n"
                            "{\"premise\": \"c\", \"hypothesis\": \"d\", \"label\": \"neutral\"}\n");
        test::writeTextFile(root + "/tasks/data/train.csv",
                            "premise,hypothesis,label\r\n\"x, \"\"quoted\"\"\",y,2\r\n\"multi\nline\",z,1\r\nlast,w,0");
        const TaskSpec spec = parseTaskSpec((root + "/tasks/nli.json").toStdString());
        QCOMPARE(QString::fromStdString(spec.evalFile), QDir::cleanPath(root + "/tasks/data/eval.jsonl"));
        const LoadedTask task = loadTask(spec, true);
        QCOMPARE(task.eval.size(), size_t(2));
        QCOMPARE(task.eval[1].line, int64_t(3)); // the blank line counts
        QCOMPARE(task.eval[0].labelIndex, int64_t(0));
        QCOMPARE(task.eval[1].labelIndex, int64_t(1)); // a label word is accepted as it is
        QCOMPARE(task.train.size(), size_t(3));
        QCOMPARE(task.train[0].fields["premise"].get<std::string>(), std::string("x, \"quoted\""));
        QCOMPARE(task.train[0].labelIndex, int64_t(2));
        QCOMPARE(task.train[1].fields["premise"].get<std::string>(), std::string("multi\nline"));
        QCOMPARE(task.train[1].line, int64_t(3));
        QCOMPARE(task.train[2].line, int64_t(5)); // after the two-line cell
    }

    void csvListCellsBecomeLists()
    {
        const auto records = readCsvRecords("q,choices,answer\nwhy,\"[\"\"a\"\", \"\"b\"\"]\",1\n", "x.csv");
        QCOMPARE(records.size(), size_t(1));
        QVERIFY(records[0].fields["choices"].is_array());
        QCOMPARE(records[0].fields["choices"][1].get<std::string>(), std::string("b"));
    }

    void fewShotFromTrainIsSeeded()
    {
        LoadedTask task;
        task.spec = parseTaskSpecText(kNliSpec, "nli.json");
        std::vector<TaskRecord> records;
        for (int i = 0; i < 20; ++i)
            records.push_back({i + 1, {{"premise", "p" + std::to_string(i)}, {"hypothesis", "h"}, {"label", i % 3}}});
        task.eval = checkTaskRecords(task.spec, {records.begin(), records.begin() + 2}, "eval.jsonl");
        task.train = checkTaskRecords(task.spec, records, "train.jsonl");
        const auto a = renderFewShotPrompts(task, "", 3, FewShotSource::TrainSample, 42, 0);
        const auto b = renderFewShotPrompts(task, "", 3, FewShotSource::TrainSample, 42, 0);
        const auto c = renderFewShotPrompts(task, "", 3, FewShotSource::TrainSample, 43, 0);
        QCOMPARE(a.prefix, b.prefix);
        QCOMPARE(a.demoLines.size(), size_t(3));
        QVERIFY(a.demoLines != c.demoLines);
        QCOMPARE(QSet<int64_t>(a.demoLines.begin(), a.demoLines.end()).size(), 3); // distinct
        const int64_t first = a.demoLines[0];
        const std::string expectedFirst = "P: p" + std::to_string(first - 1) + " H: h A: "
                                          + task.spec.labelWords[size_t((first - 1) % 3)] + "\n";
        QCOMPARE(a.prefix.substr(0, expectedFirst.size()), expectedFirst);
        QCOMPARE(a.prompts[1], a.prefix + "P: p1 H: h A: ");
        QCOMPARE(sampleIndices(10, 4, 5), sampleIndices(10, 4, 5));
        // The first k evaluation items, and the limit.
        const auto firstEval = renderFewShotPrompts(task, "default", 2, FewShotSource::FirstEval, 0, 1);
        QCOMPARE(firstEval.prompts.size(), size_t(1));
        QCOMPARE(firstEval.prefix, std::string("P: p0 H: h A: entailment\nP: p1 H: h A: neutral\n"));
        QVERIFY_THROWS_EXCEPTION(EngineError, renderFewShotPrompts(task, "default", 3, FewShotSource::FirstEval, 0, 0));
    }

    void badDataNamesFileAndLine_data()
    {
        QTest::addColumn<QByteArray>("spec");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<qint64>("line");
        QTest::addColumn<QString>("problem");
        const QByteArray good = R"({"premise": "a", "hypothesis": "b", "label": 0})" "\n";
        QTest::newRow("missing field") << QByteArray(kNliSpec) << "eval.jsonl" << good + R"({"premise": "a", "label": 1})" "\n" << qint64(2) << "missing field \"hypothesis\"";
        QTest::newRow("null field") << QByteArray(kNliSpec) << "eval.jsonl" << QByteArray(R"({"premise": null, "hypothesis": "b", "label": 1})") << qint64(1) << "field \"premise\" is null";
        QTest::newRow("list where text is needed") << QByteArray(kNliSpec) << "eval.jsonl" << good + good + R"({"premise": ["a"], "hypothesis": "b", "label": 1})" << qint64(3) << "is a list";
        QTest::newRow("label not a label word") << QByteArray(kNliSpec) << "eval.jsonl" << good + good + R"({"premise": "a", "hypothesis": "b", "label": 5})" "\n" << qint64(3) << "label \"5\" is not among the label words";
        QTest::newRow("unlabelled test split") << QByteArray(kNliSpec) << "eval.jsonl" << QByteArray(R"({"premise": "a", "hypothesis": "b", "label": -1})") << qint64(1) << "label \"-1\"";
        QTest::newRow("malformed line") << QByteArray(kNliSpec) << "eval.jsonl" << good + R"({"premise": "a", )" "\n" + good << qint64(2) << "malformed JSON";
        QTest::newRow("malformed after blank lines") << QByteArray(kNliSpec) << "eval.jsonl" << "\n\n" + good + "not json\n" << qint64(4) << "malformed JSON";
        QTest::newRow("not an object") << QByteArray(kNliSpec) << "eval.jsonl" << QByteArray("[1, 2]\n") << qint64(1) << "expected a JSON object";
        QTest::newRow("empty file") << QByteArray(kNliSpec) << "eval.jsonl" << QByteArray() << qint64(0) << "no records";
        QTest::newRow("blank lines only") << QByteArray(kNliSpec) << "eval.jsonl" << QByteArray("\n  \n\n") << qint64(0) << "no records";
        QByteArray csvSpec = kNliSpec;
        csvSpec.replace("eval.jsonl", "eval.csv");
        QTest::newRow("csv row too short") << csvSpec << "eval.csv" << QByteArray("premise,hypothesis,label\na,b,0\nc,d\n") << qint64(3) << "the row has 2 cells";
        QTest::newRow("csv quote never closed") << csvSpec << "eval.csv" << QByteArray("premise,hypothesis,label\na,b,0\n\"c,d,1\n") << qint64(3) << "never closed";
        QTest::newRow("csv header only") << csvSpec << "eval.csv" << QByteArray("premise,hypothesis,label\n") << qint64(0) << "no records";
        QTest::newRow("choice answer out of range") << QByteArray(kChoiceSpec) << "eval.jsonl"
            << QByteArray(R"({"question": "q", "choices": {"text": ["a", "b"], "label": ["A", "B"]}, "answerKey": "C"})") << qint64(1) << "not among the keys";
        QTest::newRow("one choice") << QByteArray(kChoiceSpec) << "eval.jsonl"
            << QByteArray(R"({"question": "q", "choices": {"text": ["a"], "label": ["A"]}, "answerKey": "A"})") << qint64(1) << "at least two choices";
        QTest::newRow("no target") << QByteArray(kGenerationSpec) << "eval.jsonl"
            << QByteArray("{\"document\": \"d\", \"summary\": \"s\"}\n{\"document\": \"d\"}\n") << qint64(2) << "missing field \"summary\"";
        QTest::newRow("label not a number") << QByteArray(kThresholdSpec) << "eval.jsonl"
            << QByteArray(R"({"a": "x", "b": "y", "label": "high"})") << qint64(1) << "is not a number";
        QTest::newRow("missing file") << QByteArray(kGenerationSpec) << "" << QByteArray() << qint64(0) << "cannot open";
    }
    void badDataNamesFileAndLine()
    {
        QFETCH(QByteArray, spec);
        QFETCH(QString, file);
        QFETCH(QByteArray, content);
        QFETCH(qint64, line);
        QFETCH(QString, problem);
        QTemporaryDir dir;
        if (!file.isEmpty())
            test::writeTextFile(dir.path() + "/" + file, content.toStdString());
        const TaskSpec parsed = parseTaskSpecText(spec.toStdString(), "spec.json", dir.path().toStdString());
        const QString path = QDir::cleanPath(dir.path() + "/" + (file.isEmpty() ? "eval.jsonl" : file));
        try {
            loadTask(parsed);
            QFAIL("bad data was accepted");
        } catch (const TaskDataError& e) {
            QCOMPARE(QString::fromStdString(e.file()), path);
            QCOMPARE(qint64(e.line()), line);
            QVERIFY2(QString::fromStdString(e.problem()).contains(problem), e.what());
            const QString where = line > 0 ? path + ": line " + QString::number(line) + ": " : path + ": ";
            QVERIFY2(QString(e.what()).startsWith(where), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestTasks)
#include "tst_tasks.moc"
