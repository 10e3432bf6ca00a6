// The safetensors reader, writer and sharded index: reference files from other implementations,
// round trips of every dtype, zero-copy views, and one row per rule a malformed file can break.

#include "engine/EngineError.h"
#include "engine/safetensors/SafetensorsFile.h"
#include "engine/safetensors/SafetensorsHeader.h"
#include "engine/safetensors/SafetensorsWriter.h"

#include <torch/types.h>

#include "SafetensorsTestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cstring>
#include <limits>

using namespace ckptlab::engine;
using namespace safetensors_test;

namespace {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// A small non-contiguous tensor of the given type with distinct, exactly representable values.
torch::Tensor sampleTensor(c10::ScalarType type)
{
    const torch::Tensor base = torch::arange(12, torch::kDouble).reshape({3, 4}).t();
    if (type == torch::kBool)
        return base.fmod(3).eq(0);
    if (c10::isFloatingType(type))
        return (base * 0.375 - 1.5).to(type);
    return (base * 9 - (type == torch::kByte ? 0 : 7)).to(type);
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::string path(const QString& name) const { return m_dir.filePath(name).toStdString(); }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void readsReferenceCheckpoints_data();
    void readsReferenceCheckpoints();
    void roundTripsEveryDtype_data();
    void roundTripsEveryDtype();
    void roundTripsScalarsEmptyTensorsAndMetadata();
    void alignedTensorsAreZeroCopyViewsThatOutliveTheFile();
    void unalignedHeaderStillReads();
    void writerReplacesFilesAtomically();
    void writerRejectsWhatItCannotStore_data();
    void writerRejectsWhatItCannotStore();
    void readsShardedCheckpointThroughIndex();
    void rejectsBrokenIndexes_data();
    void rejectsBrokenIndexes();
    void checkpointFolderNeedsWeights();
    void rejectsMalformedFiles_data();
    void rejectsMalformedFiles();
    void rejectsBoolBytesOtherThanZeroOrOne();
};

void TestSafetensors::readsReferenceCheckpoints_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("tensorCount");
    QTest::addColumn<QString>("tensor");
    QTest::addColumn<QList<qint64>>("shape");
    QTest::addColumn<double>("valueAt11");   // element [1][1], read independently with Python's struct

    QTest::newRow("gpt2") << "gpt2_tiny" << 28 << "transformer.h.0.attn.c_attn.weight" << QList<qint64>{128, 384}
                          << -0.012690340168774128;
    QTest::newRow("llama") << "llama_tiny_gqa" << 21 << "lm_head.weight" << QList<qint64>{512, 64}
                           << 0.21809189021587372;
    QTest::newRow("neox") << "neox_tiny" << 28 << "embed_out.weight" << QList<qint64>{512, 64}
                          << 0.20543205738067627;
}

void TestSafetensors::readsReferenceCheckpoints()
{
    QFETCH(QString, model);
    QFETCH(int, tensorCount);
    QFETCH(QString, tensor);
    QFETCH(QList<qint64>, shape);
    QFETCH(double, valueAt11);

    const std::string file = QDir(sharedModel(model)).filePath("model.safetensors").toStdString();
    const SafetensorsHeader headerOnly = readSafetensorsHeader(file);
    QCOMPARE(static_cast<int>(headerOnly.tensors.size()), tensorCount);
    QCOMPARE(QString::fromStdString(headerOnly.metadata.at("format")), QStringLiteral("pt"));

    const std::shared_ptr<WeightSource> weights = openCheckpointWeights(sharedModel(model).toStdString());
    QCOMPARE(QString::fromStdString(weights->describe()), QString::fromStdString(file));
    QCOMPARE(static_cast<int>(weights->names().size()), tensorCount);
    for (const TensorEntry& entry : headerOnly.tensors) {
        QVERIFY(weights->contains(entry.name));
        QVERIFY(entry.dtype == DType::F32);
    }

    const TensorEntry* entry = headerOnly.find(tensor.toStdString());
    QVERIFY(entry);
    QCOMPARE(QList<qint64>(entry->shape.begin(), entry->shape.end()), shape);
    const torch::Tensor loaded = weights->get(tensor.toStdString());
    QCOMPARE(loaded.scalar_type(), torch::kFloat);
    QCOMPARE(QList<qint64>(loaded.sizes().begin(), loaded.sizes().end()), shape);
    QCOMPARE(loaded[1][1].item<float>(), static_cast<float>(valueAt11));
}

void TestSafetensors::roundTripsEveryDtype_data()
{
    QTest::addColumn<int>("scalarType");
    QTest::addColumn<QString>("expectedName");
    const std::pair<c10::ScalarType, const char*> types[] = {
        {torch::kDouble, "F64"}, {torch::kFloat, "F32"}, {torch::kHalf, "F16"}, {torch::kBFloat16, "BF16"},
        {torch::kLong, "I64"},   {torch::kInt, "I32"},   {torch::kShort, "I16"}, {torch::kChar, "I8"},
        {torch::kByte, "U8"},    {torch::kBool, "BOOL"},
    };
    for (const auto& [type, name] : types)
        QTest::newRow(name) << static_cast<int>(type) << QString::fromLatin1(name);
}

void TestSafetensors::roundTripsEveryDtype()
{
    QFETCH(int, scalarType);
    QFETCH(QString, expectedName);
    const auto type = static_cast<c10::ScalarType>(scalarType);
    const torch::Tensor original = sampleTensor(type);
    QVERIFY(!original.is_contiguous());   // the writer must lay out a copy, not the raw storage

    const std::string file = path("dtype_" + expectedName + ".safetensors");
    // A one-byte tensor first: the writer must still place the wide one aligned.
    writeSafetensors(file, {{"odd", torch::ones({3}, torch::kByte)}, {"t", original}});

    const auto read = SafetensorsFile::open(file);
    QCOMPARE(QString::fromLatin1(dtypeName(read->header().find("t")->dtype)), expectedName);
    QCOMPARE(read->header().dataOffset % 8, std::uint64_t(0));
    const torch::Tensor loaded = read->get("t");
    QCOMPARE(loaded.scalar_type(), type);
    QVERIFY(loaded.sizes() == original.sizes());
    QVERIFY(torch::equal(loaded, original));
    QVERIFY(loaded.data_ptr() == read->get("t").data_ptr());   // aligned, so both are views
}

void TestSafetensors::roundTripsScalarsEmptyTensorsAndMetadata()
{
    const std::string file = path("scalars.safetensors");
    const std::map<std::string, std::string> metadata{{"format", "pt"}, {"step", "143000"}, {"note", "é ✓"}};
    writeSafetensors(file, {{"scalar", torch::tensor(2.5)}, {"empty", torch::zeros({0, 3})}, {"name with spaces/ü", torch::ones({1})}},
                     metadata);

    QCOMPARE(readSafetensorsHeader(file).metadata, metadata);
    const auto read = SafetensorsFile::open(file);
    QCOMPARE(read->header().metadata, metadata);
    QCOMPARE(int(read->get("scalar").dim()), 0);
    QCOMPARE(read->get("scalar").item<double>(), 2.5);
    QVERIFY(read->get("empty").sizes().vec() == std::vector<std::int64_t>({0, 3}));
    QCOMPARE(read->get("name with spaces/ü").item<float>(), 1.0f);

    const auto noMetadata = path("no_metadata.safetensors");
    writeSafetensors(noMetadata, {{"x", torch::ones({1})}});
    QVERIFY(readSafetensorsHeader(noMetadata).metadata.empty());
}

void TestSafetensors::alignedTensorsAreZeroCopyViewsThatOutliveTheFile()
{
    const std::string file = path("zero_copy.safetensors");
    const torch::Tensor original = torch::randn({16, 8});
    writeSafetensors(file, {{"w", original}});

    auto read = SafetensorsFile::open(file);
    torch::Tensor view = read->get("w");
    const auto* begin = read->mappedData();
    const auto* at = static_cast<const std::uint8_t*>(view.data_ptr());
    QVERIFY(at >= begin && at + view.nbytes() <= begin + read->mappedSize());

    read.reset();   // the view keeps the mapping alive
    QVERIFY(torch::equal(view, original));

    view.mul_(2);   // copy-on-write: the tensor changes, the file does not
    QVERIFY(torch::equal(view, original * 2));
    QVERIFY(torch::equal(SafetensorsFile::open(file)->get("w"), original));
}

void TestSafetensors::unalignedHeaderStillReads()
{
    // Padding the header so the data area starts at 5 modulo 8 leaves no element type aligned.
    QByteArray json = R"({"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})";
    while ((8 + json.size()) % 8 != 5)
        json.append(' ');
    QByteArray data(16, '\0');
    const double d = -7.125;
    const float w[2] = {1.5f, -3.25f};
    std::memcpy(data.data(), &d, 8);
    std::memcpy(data.data() + 8, w, 8);
    const std::string file = writeFile(m_dir.path(), "unaligned.safetensors", craftFile(json, data));

    const auto read = SafetensorsFile::open(file);
    QCOMPARE(read->header().dataOffset, static_cast<std::uint64_t>(8 + json.size()));
    const torch::Tensor loadedW = read->get("w");
    QCOMPARE(loadedW[0].item<float>(), 1.5f);
    QCOMPARE(loadedW[1].item<float>(), -3.25f);
    QCOMPARE(read->get("d").item<double>(), -7.125);
    const auto* at = static_cast<const std::uint8_t*>(loadedW.data_ptr());
    QVERIFY(at < read->mappedData() || at >= read->mappedData() + read->mappedSize());   // a copy
}

void TestSafetensors::writerReplacesFilesAtomically()
{
    const std::string file = path("replaced.safetensors");
    writeSafetensors(file, {{"w", torch::full({4}, 1.0)}});
    const auto before = SafetensorsFile::open(file);
    writeSafetensors(file, {{"w", torch::full({4}, 2.0)}});

    QVERIFY(torch::equal(before->get("w"), torch::full({4}, 1.0)));   // the old file, still mapped
    QVERIFY(torch::equal(SafetensorsFile::open(file)->get("w"), torch::full({4}, 2.0)));
}

void TestSafetensors::writerRejectsWhatItCannotStore_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("tensor");
    QTest::addColumn<QString>("rule");
    QTest::newRow("duplicate name") << "duplicate" << "w" << "appears twice";
    QTest::newRow("reserved name") << "reserved" << "__metadata__" << "reserved for metadata";
    QTest::newRow("complex dtype") << "complex" << "c" << "cannot be stored";
    QTest::newRow("undefined tensor") << "undefined" << "u" << "undefined tensor";
    QTest::newRow("sparse tensor") << "sparse" << "s" << "only dense tensors";
    QTest::newRow("name not UTF-8") << "utf8" << "" << "not valid UTF-8";
}

void TestSafetensors::writerRejectsWhatItCannotStore()
{
    QFETCH(QString, kind);
    QFETCH(QString, tensor);
    QFETCH(QString, rule);
    const std::string file = path("writer_" + kind + ".safetensors");
    writeSafetensors(file, {{"previous", torch::ones({2})}});

    NamedTensors tensors{{"fine", torch::ones({2})}};
    if (kind == "duplicate")
        tensors = {{"w", torch::ones({2})}, {"w", torch::zeros({2})}};
    else if (kind == "reserved")
        tensors.emplace_back("__metadata__", torch::ones({1}));
    else if (kind == "complex")
        tensors.emplace_back("c", torch::zeros({2}, torch::kComplexFloat));
    else if (kind == "undefined")
        tensors.emplace_back("u", torch::Tensor());
    else if (kind == "sparse")
        tensors.emplace_back("s", torch::eye(3).to_sparse());
    else if (kind == "utf8")
        tensors.emplace_back("bad\xff", torch::ones({1}));

    const CaughtError error = engineErrorOf([&] { writeSafetensors(file, tensors); });
    QVERIFY2(error.thrown, qPrintable(kind));
    QCOMPARE(QString::fromStdString(error.file), QString::fromStdString(file));
    QVERIFY2(error.message.contains(rule), qPrintable(error.message));
    if (!tensor.isEmpty())
        QVERIFY2(error.message.contains("tensor \"" + tensor + "\""), qPrintable(error.message));

    // Nothing half-written: the previous file is intact and no temporary file is left behind.
    QVERIFY(SafetensorsFile::open(file)->contains("previous"));
    const QStringList leftovers = QDir(m_dir.path()).entryList({"*.tmp-*"}, QDir::Files);
    QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(' ')));
}

void TestSafetensors::readsShardedCheckpointThroughIndex()
{
    const QString folder = m_dir.filePath("sharded");
    QVERIFY(QDir().mkpath(folder));
    const torch::Tensor a = torch::randn({4, 4}), b = torch::arange(6).to(torch::kInt), c = torch::randn({3}).to(torch::kBFloat16);
    writeSafetensors((folder + "/model-00001-of-00002.safetensors").toStdString(), {{"a", a}, {"b", b}});
    writeSafetensors((folder + "/model-00002-of-00002.safetensors").toStdString(), {{"c", c}});
    const std::string index = writeFile(folder, "model.safetensors.index.json", R"({"metadata": {"total_size": 82},
        "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00001-of-00002.safetensors",
                       "c": "model-00002-of-00002.safetensors"}})");

    const std::shared_ptr<WeightSource> weights = openCheckpointWeights(folder.toStdString());
    QCOMPARE(QString::fromStdString(weights->describe()), QString::fromStdString(index));
    QVERIFY(weights->names() == std::vector<std::string>({"a", "b", "c"}));
    QVERIFY(torch::equal(weights->get("a"), a));
    QVERIFY(torch::equal(weights->get("b"), b));
    QVERIFY(torch::equal(weights->get("c"), c));
    QVERIFY(!weights->contains("d"));
    const CaughtError missing = engineErrorOf([&] { weights->get("d"); });
    QVERIFY(missing.thrown && missing.message.contains("tensor \"d\""));
    QCOMPARE(std::dynamic_pointer_cast<ShardedSafetensors>(weights)->shards().size(), std::size_t(2));
}

void TestSafetensors::rejectsBrokenIndexes_data()
{
    QTest::addColumn<QByteArray>("index");
    QTest::addColumn<QString>("tensor");
    QTest::addColumn<QString>("rule");
    QTest::newRow("missing shard") << QByteArray(R"({"weight_map": {"a": "one.safetensors", "c": "gone.safetensors"}})")
                                   << "c" << "gone.safetensors\" (holding tensor \"c\") does not exist";
    QTest::newRow("tensor not in its shard") << QByteArray(R"({"weight_map": {"a": "one.safetensors", "z": "one.safetensors"}})")
                                             << "z" << "not in shard";
    QTest::newRow("shard outside the folder") << QByteArray(R"({"weight_map": {"a": "../one.safetensors"}})")
                                              << "a" << "not a plain file name";
    QTest::newRow("duplicate tensor") << QByteArray(R"({"weight_map": {"a": "one.safetensors", "a": "one.safetensors"}})")
                                      << "a" << "appears twice in weight_map";
    QTest::newRow("shard not a string") << QByteArray(R"({"weight_map": {"a": 3}})") << "a" << "not a shard file name";
    QTest::newRow("no weight_map") << QByteArray(R"({"metadata": {}})") << "" << "no \"weight_map\"";
    QTest::newRow("empty weight_map") << QByteArray(R"({"weight_map": {}})") << "" << "lists no tensors";
    QTest::newRow("not JSON") << QByteArray(R"({"weight_map": )") << "" << "not valid JSON";
}

void TestSafetensors::rejectsBrokenIndexes()
{
    QFETCH(QByteArray, index);
    QFETCH(QString, tensor);
    QFETCH(QString, rule);
    const QString folder = m_dir.filePath("broken_index_" + QString::fromLatin1(QTest::currentDataTag()).replace(' ', '_'));
    QVERIFY(QDir().mkpath(folder));
    writeSafetensors((folder + "/one.safetensors").toStdString(), {{"a", torch::ones({2})}});
    const std::string indexPath = writeFile(folder, "model.safetensors.index.json", index);

    const CaughtError error = engineErrorOf([&] { openCheckpointWeights(folder.toStdString()); });
    QVERIFY(error.thrown);
    QCOMPARE(QString::fromStdString(error.file), QString::fromStdString(indexPath));
    QVERIFY2(error.message.contains(rule), qPrintable(error.message));
    if (!tensor.isEmpty())
        QVERIFY2(error.message.contains("tensor \"" + tensor + "\""), qPrintable(error.message));
}

void TestSafetensors::checkpointFolderNeedsWeights()
{
    const QString empty = m_dir.filePath("no_weights");
    QVERIFY(QDir().mkpath(empty));
    const CaughtError neither = engineErrorOf([&] { openCheckpointWeights(empty.toStdString()); });
    QVERIFY(neither.thrown);
    QCOMPARE(QString::fromStdString(neither.file), empty);
    QVERIFY2(neither.message.contains("neither model.safetensors nor model.safetensors.index.json"),
             qPrintable(neither.message));

    // A broken shard is reported against the shard itself.
    const QString folder = m_dir.filePath("broken_shard");
    QVERIFY(QDir().mkpath(folder));
    const std::string shard = writeFile(folder, "s1.safetensors", "short");
    writeFile(folder, "model.safetensors.index.json", R"({"weight_map": {"a": "s1.safetensors"}})");
    const CaughtError broken = engineErrorOf([&] { openCheckpointWeights(folder.toStdString()); });
    QVERIFY(broken.thrown);
    QCOMPARE(QString::fromStdString(broken.file), QString::fromStdString(shard));
}

void TestSafetensors::rejectsMalformedFiles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("tensor");   // the tensor the message must name, if one is at fault
    QTest::addColumn<QString>("rule");     // the part of the message that states the rule

    const auto f32 = [](const char* name, const char* shape, const char* offsets) {
        return QByteArray("\"") + name + R"(":{"dtype":"F32","shape":)" + shape + R"(,"data_offsets":)" + offsets + "}";
    };
    const auto one = [&](const char* shape, const char* offsets, int dataBytes) {
        return craftFile("{" + f32("layer.w", shape, offsets) + "}", QByteArray(dataBytes, '\0'));
    };
    const auto entry = [](const QByteArray& body, int dataBytes = 0) {
        return craftFile(R"({"layer.w":)" + body + "}", QByteArray(dataBytes, '\0'));
    };
    QByteArray deep = R"({"layer.w":)";
    deep += QByteArray(20, '[') + QByteArray(20, ']') + "}";

    QTest::newRow("empty file") << QByteArray() << "" << "too short for the 8-byte header length";
    QTest::newRow("7-byte file") << QByteArray(7, '\0') << "" << "too short for the 8-byte header length";
    QTest::newRow("header length past the end") << QByteArray(lengthPrefix(100) + "{}") << "" << "runs past the end of the file";
    QTest::newRow("header length over the cap") << QByteArray(lengthPrefix(200'000'000) + "{}") << "" << "exceeds the cap";
    QTest::newRow("header length 2^64-1") << QByteArray(lengthPrefix(std::numeric_limits<std::uint64_t>::max()) + "{}") << ""
                                          << "exceeds the cap";
    QTest::newRow("truncated JSON") << craftFile(R"({"layer.w":{"dtype":"F32")") << "" << "header is not valid JSON";
    QTest::newRow("garbage after JSON") << craftFile("{} x") << "" << "header is not valid JSON";
    QTest::newRow("name not UTF-8") << craftFile("{\"\xff\":{}}") << "" << "header is not valid JSON";
    QTest::newRow("header is an array") << craftFile("[]") << "" << "header is an array, not a JSON object";
    QTest::newRow("header is a string") << craftFile("\"x\"") << "" << "header is a string, not a JSON object";
    QTest::newRow("nesting too deep") << craftFile(deep) << "" << "nests deeper than";
    QTest::newRow("entry not an object") << entry("5") << "layer.w" << "entry is an integer, not an object";
    QTest::newRow("missing dtype") << entry(R"({"shape":[1],"data_offsets":[0,4]})", 4) << "layer.w"
                                   << "missing field \"dtype\"";
    QTest::newRow("missing shape") << entry(R"({"dtype":"F32","data_offsets":[0,4]})", 4) << "layer.w"
                                   << "missing field \"shape\"";
    QTest::newRow("missing data_offsets") << entry(R"({"dtype":"F32","shape":[1]})", 4) << "layer.w"
                                          << "missing field \"data_offsets\"";
    QTest::newRow("dtype not a string") << entry(R"({"dtype":4,"shape":[1],"data_offsets":[0,4]})", 4) << "layer.w"
                                        << "dtype is an integer, not a string";
    QTest::newRow("unknown dtype") << entry(R"({"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]})", 1) << "layer.w"
                                   << "dtype \"F8_E4M3\" is not supported (supported: F64 F32 F16 BF16";
    QTest::newRow("lower-case dtype") << entry(R"({"dtype":"f32","shape":[1],"data_offsets":[0,4]})", 4) << "layer.w"
                                      << "dtype \"f32\" is not supported";
    QTest::newRow("shape not an array") << one("\"2\"", "[0,8]", 8) << "layer.w" << "shape is a string, not an array";
    QTest::newRow("negative dimension") << one("[2,-1]", "[0,8]", 8) << "layer.w"
                                        << "dimension 1 is -1: dimensions must be non-negative";
    QTest::newRow("fractional dimension") << one("[2.5]", "[0,8]", 8) << "layer.w"
                                          << "dimension 0 is a number, not an integer";
    QTest::newRow("dimension over int64") << one("[9223372036854775808]", "[0,8]", 8) << "layer.w"
                                          << "dimension 0 is too large";
    QTest::newRow("element count overflows") << one("[4294967296,4294967296]", "[0,8]", 8) << "layer.w"
                                             << "more elements than a 64-bit size can count";
    QTest::newRow("byte count overflows") << one("[2305843009213693952,4]", "[0,8]", 8) << "layer.w"
                                          << "more elements than a 64-bit size can count";
    QTest::newRow("one offset") << one("[2]", "[8]", 8) << "layer.w" << "data_offsets must be two non-negative integers";
    QTest::newRow("negative offset") << one("[1]", "[-4,0]", 4) << "layer.w"
                                     << "data_offsets must be two non-negative integers";
    QTest::newRow("fractional offsets") << one("[1]", "[0.0,4.0]", 4) << "layer.w"
                                        << "data_offsets must be two non-negative integers";
    QTest::newRow("begin after end") << one("[1]", "[8,4]", 8) << "layer.w" << "data_offsets [8, 4] begin after end";
    QTest::newRow("bytes differ from shape") << one("[2]", "[0,4]", 4) << "layer.w"
                                             << "byte length must equal elements x element size";
    QTest::newRow("end past the data area") << one("[2]", "[0,8]", 4) << "layer.w" << "end past the data area";
    QTest::newRow("offset near 2^64") << one("[1]", "[18446744073709551612,18446744073709551615]", 4) << "layer.w"
                                      << "byte length must equal";
    QTest::newRow("overlapping ranges") << craftFile("{" + f32("a", "[2]", "[0,8]") + "," + f32("b", "[2]", "[4,12]") + "}",
                                                     QByteArray(12, '\0'))
                                        << "b" << "overlap tensor \"a\" [0, 8] (ranges must not overlap)";
    QTest::newRow("same range twice") << craftFile("{" + f32("a", "[1]", "[0,4]") + "," + f32("b", "[1]", "[0,4]") + "}",
                                                   QByteArray(4, '\0'))
                                      << "b" << "ranges must not overlap";
    QTest::newRow("hole between tensors") << craftFile("{" + f32("a", "[1]", "[0,4]") + "," + f32("b", "[1]", "[8,12]") + "}",
                                                       QByteArray(12, '\0'))
                                          << "b" << "bytes [4, 8) of the data area unused (the tensors must cover";
    QTest::newRow("hole before the first") << one("[1]", "[4,8]", 8) << "layer.w" << "without holes";
    QTest::newRow("bytes after the last") << one("[1]", "[0,4]", 8) << "layer.w"
                                          << "4 unused bytes after tensor \"layer.w\"";
    QTest::newRow("data without tensors") << craftFile("{}", QByteArray(4, '\0')) << "" << "but the header lists no tensors";
    QTest::newRow("duplicate tensor") << craftFile("{" + f32("layer.w", "[1]", "[0,4]") + "," +
                                                   f32("layer.w", "[1]", "[4,8]") + "}",
                                                   QByteArray(8, '\0'))
                                      << "layer.w" << "appears twice in the header (names must be unique)";
    QTest::newRow("duplicate field") << entry(R"({"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]})", 4)
                                     << "layer.w" << "field \"dtype\" appears twice";
    QTest::newRow("metadata not an object") << craftFile(R"({"__metadata__":["pt"]})") << ""
                                            << "__metadata__ is an array, not an object of strings";
    QTest::newRow("metadata value not a string") << craftFile(R"({"__metadata__":{"step":1000}})") << ""
                                                 << "__metadata__ value for \"step\" is an integer, not a string";
}

void TestSafetensors::rejectsMalformedFiles()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, tensor);
    QFETCH(QString, rule);
    const std::string file = writeFile(m_dir.path(), QStringLiteral("malformed_%1.safetensors").arg(QTest::currentDataTag()).replace(' ', '_'), bytes);

    const auto parseInMemory = [&] {
        parseSafetensorsHeader(reinterpret_cast<const std::uint8_t*>(bytes.constData()), bytes.size(), bytes.size(), file);
    };
    const auto readFromDisk = [&] { readSafetensorsHeader(file); };
    const auto openMapped = [&] { SafetensorsFile::open(file); };
    for (const CaughtError& error : {engineErrorOf(parseInMemory), engineErrorOf(readFromDisk), engineErrorOf(openMapped)}) {
        QVERIFY(error.thrown);
        QCOMPARE(QString::fromStdString(error.file), QString::fromStdString(file));
        QVERIFY2(error.message.startsWith(QString::fromStdString(file) + ": "), qPrintable(error.message));
        QVERIFY2(error.message.contains(rule), qPrintable(error.message));
        if (!tensor.isEmpty())
            QVERIFY2(error.message.contains("tensor \"" + tensor + "\""), qPrintable(error.message));
    }
}

void TestSafetensors::rejectsBoolBytesOtherThanZeroOrOne()
{
    const QByteArray json = R"({"flags":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}})";
    const std::string file = writeFile(m_dir.path(), "bool.safetensors", craftFile(json, QByteArray("\x00\x01\x02", 3)));
    const auto read = SafetensorsFile::open(file);
    const CaughtError error = engineErrorOf([&] { read->get("flags"); });
    QVERIFY(error.thrown);
    QCOMPARE(QString::fromStdString(error.file), QString::fromStdString(file));
    QVERIFY2(error.message.contains("tensor \"flags\": BOOL element 2 holds byte value 2 (must be 0 or 1)"),
             qPrintable(error.message));
}

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
