package dev.hypha.ml.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.cid.ContentId;
import dev.hypha.ml.train.run.SyntheticImages;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetStoreTest {
    @TempDir
    Path dir;

    @Test
    void importRecordsBothSplitsUnderOneContentIdThatDependsOnlyOnTheData() throws Exception {
        Path idx = SyntheticImages.write(dir.resolve("idx"), 40, 12, 1);
        DatasetStore a = new DatasetStore(new ContentStore(dir.resolve("a")));
        DatasetStore.Imported imported = a.importFashionMnist(idx);
        assertThat(imported.manifest().splits()).containsOnlyKeys("train", "test");
        assertThat(new DatasetStore(new ContentStore(dir.resolve("b"))).importFashionMnist(idx).id()).isEqualTo(imported.id());
        assertThat(a.resolve("fashion-mnist")).isEqualTo(imported.id());
        ImageSplit test = a.load(imported.id(), "test");
        assertThat(test.count()).isEqualTo(12);
        assertThat(a.load(imported.id(), "train").count()).isEqualTo(40);
        assertThatThrownBy(() -> a.load(imported.id(), "validation")).hasMessageContaining("has no split 'validation'; it has test, train");
    }

    @Test
    void aDamagedBlobIsRefusedNotRead() throws Exception {
        Path idx = SyntheticImages.write(dir.resolve("idx"), 20, 5, 2);
        ContentStore store = new ContentStore(dir.resolve("home"));
        DatasetStore datasets = new DatasetStore(store);
        DatasetStore.Imported imported = datasets.importFashionMnist(idx);
        ContentId labels = imported.manifest().splits().get("test").labels();
        Path blob = dir.resolve("home/content/blobs/" + labels);
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length - 1] ^= 1;
        Files.write(blob, bytes);
        assertThatThrownBy(() -> datasets.load(imported.id(), "test")).hasMessageContaining("is damaged");
    }

    @Test
    void manifestsMustBeCanonicalAndBounded() {
        assertThatThrownBy(() -> DatasetManifest.decode("m", "{\"format\":\"other\"}".getBytes())).hasMessageContaining("not a dataset manifest");
        String ok = "{\"format\":\"hypha-image-dataset-1\",\"name\":\"x\",\"classes\":10,\"height\":28,\"width\":28,\"splits\":{\"test\":{\"count\":1,"
                + "\"images\":\"bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e\",\"labels\":\"bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e\"}}}";
        assertThat(DatasetManifest.decode("m", ok.getBytes()).classes()).isEqualTo(10);
        assertThatThrownBy(() -> DatasetManifest.decode("m", ok.replace("\"classes\":10", "\"classes\":100000").getBytes()))
                .hasMessageContaining("'classes' must be a whole number from 2 to 256");
        assertThatThrownBy(() -> DatasetManifest.decode("m", ok.replace(",", ", ").getBytes())).hasMessageContaining("canonical");
    }

    @Test
    void missingFilesPointAtTheDebianPackage() {
        assertThatThrownBy(() -> new DatasetStore(new ContentStore(dir)).importFashionMnist(dir.resolve("nothing")))
                .hasMessageContaining("no train-images-idx3-ubyte(.gz) in " + dir.resolve("nothing"));
    }
}
