package io.holdout.datasets.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Sample;
import io.holdout.api.data.TargetKind;
import io.holdout.api.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSourceTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void readsTypedColumnsIntoFields() throws IOException {
    Path p =
        write(
            "iris.csv",
            "a,b,species,w\n"
                + "1.5,2,setosa,0.25\n"
                + "\n"
                + "-3e1, .5 ,virginica,1\n"
                + "4,\"5\",setosa,2.5\n");
    CsvDataset ds =
        CsvSource.builder(p)
            .features("b", "a")
            .classTarget("species", "species")
            .numberTarget("weight", "w")
            .open();

    assertThat(ds.size()).isEqualTo(3);
    assertThat(ds.schema().inputShape()).containsExactly(2);
    assertThat(ds.schema().inputNames()).containsExactly("b", "a");
    assertThat(ds.schema().target("species").kind()).isEqualTo(TargetKind.CLASS);
    assertThat(ds.schema().target("species").classes()).containsExactly("setosa", "virginica");
    assertThat(ds.schema().target("weight").kind()).isEqualTo(TargetKind.NUMBER);
    assertThat(ds.schema().target("weight").shape()).containsExactly(1);

    Sample s = ds.get(1);
    assertThat(s.input().floats()).containsExactly(0.5f, -30f);
    assertThat(s.field("species").dtype()).isEqualTo(DType.INT64);
    assertThat(s.field("species").shape()).isEmpty();
    assertThat(s.field("species").longs()).containsExactly(1L);
    assertThat(s.field("weight").floats()).containsExactly(1f);
    assertThat(ds.get(2).input().floats()).containsExactly(5f, 4f);
    assertThat(ds.label(2, "species")).hasValue(0);
    assertThat(ds.label(2, "weight")).isEmpty();
    // the blank line 3 is skipped but still counted
    assertThat(ds.line(1)).isEqualTo(4);
    assertThat(ds.describe(1)).isEqualTo(p + ":4");
    assertThat(ds.id(1)).isEqualTo("iris.csv:4");
    assertThat(s.id()).isEqualTo("iris.csv:4");
  }

  @Test
  void defaultFeaturesAreTheColumnsThatAreNotTargetsIdOrIgnored() throws IOException {
    Path p = write("t.csv", "id,x1,group,x2,y\nr1,1,g,2,0\nr2,3,g,4,1\n");
    CsvDataset ds =
        CsvSource.builder(p).classTarget("y", "y").optIdColumn("id").optIgnore("group").open();
    assertThat(ds.features()).containsExactly("x1", "x2");
    assertThat(ds.get(1).input().floats()).containsExactly(3f, 4f);
    assertThat(ds.id(1)).isEqualTo("r2");
    assertThat(ds.column("group")).containsExactly("g", "g");
    assertThat(ds.column("x2")).containsExactly("2.0", "4.0");
  }

  @Test
  void classesAreSortedNumericallyOrAlphabeticallyOrByFirstAppearance() throws IOException {
    Path p = write("c.csv", "x,n,s\n1,10,b\n2,2,c\n3,10,a\n");
    CsvDataset sorted =
        CsvSource.builder(p).features("x").classTarget("n", "n").classTarget("s", "s").open();
    assertThat(sorted.schema().target("n").classes()).containsExactly("2", "10");
    assertThat(sorted.schema().target("s").classes()).containsExactly("a", "b", "c");
    assertThat(sorted.label(0, "s")).hasValue(1);

    CsvDataset first =
        CsvSource.builder(p)
            .features("x")
            .classTarget("s", "s")
            .optClassOrder(ClassOrder.FIRST_APPEARANCE)
            .open();
    assertThat(first.schema().target("s").classes()).containsExactly("b", "c", "a");
    assertThat(first.label(2, "s")).hasValue(2);
  }

  @Test
  void explicitClassListFixesIndicesAndRejectsUnknownClasses() throws IOException {
    Path p = write("c.csv", "x,s\n1,dog\n2,cat\n3,cow\n");
    CsvSource.Builder b = CsvSource.builder(p).features("x");
    assertThatThrownBy(() -> b.classTarget("s", "s", List.of("dog", "cat")).open())
        .isInstanceOf(HoldoutException.class)
        .hasMessage(p + ":4: column 's': unknown class 'cow' (classes: dog, cat)");
    CsvDataset ds =
        CsvSource.builder(p)
            .features("x")
            .classTarget("s", "s", List.of("dog", "cat", "cow"))
            .open();
    assertThat(ds.label(1, "s")).hasValue(1);
  }

  @Test
  void numberTargetMayHaveSeveralColumns() throws IOException {
    Path p = write("m.csv", "x,y1,y2\n1,2,3\n4,5,6\n");
    CsvDataset ds = CsvSource.builder(p).features("x").numberTarget("y", "y1", "y2").open();
    assertThat(ds.schema().target("y").shape()).containsExactly(2);
    assertThat(ds.get(1).field("y").floats()).containsExactly(5f, 6f);
  }

  @Test
  void quotedFieldsAndOtherDelimiters() throws IOException {
    Path p = write("q.csv", "name;x\n\"a;b \"\"q\"\"\";1\n");
    CsvDataset ds = CsvSource.builder(p).features("x").optIgnore("name").optDelimiter(';').open();
    assertThat(ds.column("name")).containsExactly("a;b \"q\"");
  }

  @Test
  void nonNumericValueNamesFileLineAndColumn() throws IOException {
    Path p = write("iris.csv", "a,petal_width\n1,2\n3,abc\n");
    assertThatThrownBy(() -> CsvSource.builder(p).open())
        .isInstanceOf(HoldoutException.class)
        .hasMessage(p + ":3: column 'petal_width': 'abc' is not a number");
  }

  @Test
  void nanAndInfinityAreNotNumbers() throws IOException {
    Path p = write("n.csv", "a,b\n1,NaN\n");
    assertThatThrownBy(() -> CsvSource.builder(p).open())
        .hasMessage(p + ":2: column 'b': 'NaN' is not a number");
    Path q = write("i.csv", "a,b\n1,Infinity\n");
    assertThatThrownBy(() -> CsvSource.builder(q).open())
        .hasMessage(q + ":2: column 'b': 'Infinity' is not a number");
    Path r = write("f.csv", "a,b\n1,1e39\n");
    assertThatThrownBy(() -> CsvSource.builder(r).open())
        .hasMessage(r + ":2: column 'b': '1e39' is outside the float range");
  }

  @Test
  void missingColumnListsTheKnownColumns() throws IOException {
    Path p = write("iris.csv", "a,b,c\n1,2,3\n");
    assertThatThrownBy(() -> CsvSource.builder(p).features("a", "foo").open())
        .isInstanceOf(HoldoutException.class)
        .hasMessage(p + ": no column 'foo' (columns: a, b, c)");
    assertThatThrownBy(() -> CsvSource.builder(p).classTarget("y", "label").open())
        .hasMessage(p + ": no column 'label' (columns: a, b, c)");
  }

  @Test
  void raggedRowIsAnError() throws IOException {
    Path p = write("r.csv", "a,b,c\n1,2,3\n1,2\n");
    assertThatThrownBy(() -> CsvSource.builder(p).open())
        .isInstanceOf(HoldoutException.class)
        .hasMessage(p + ":3: 2 fields, but the header has 3 columns");
  }

  @Test
  void missingValuesFailByDefaultAndAreCountedWhenSkipped() throws IOException {
    Path p = write("m.csv", "a,b,note\n1,2,\n,4,x\n5,NA,y\n7,8,z\n");
    assertThatThrownBy(() -> CsvSource.builder(p).optIgnore("note").open())
        .isInstanceOf(HoldoutException.class)
        .hasMessageStartingWith(p + ":3: column 'a': missing value");
    CsvDataset ds = CsvSource.builder(p).optIgnore("note").optMissing(MissingValues.SKIP).open();
    // the empty 'note' on line 2 does not matter: the column is not used
    assertThat(ds.size()).isEqualTo(2);
    assertThat(ds.skippedLines()).containsExactly(3, 4);
    assertThat(ds.skipReport()).isEqualTo(p + ": skipped 2 rows with missing values (lines 3, 4)");
    assertThat(ds.get(1).input().floats()).containsExactly(7f, 8f);

    // with only the empty cell as a marker, NA is an ordinary (non-numeric) value
    assertThatThrownBy(
            () ->
                CsvSource.builder(p)
                    .optIgnore("note")
                    .optMissing(MissingValues.SKIP)
                    .optMissingMarkers(Set.of(""))
                    .open())
        .hasMessage(p + ":4: column 'b': 'NA' is not a number");
  }

  @Test
  void fileProblems() throws IOException {
    Path none = dir.resolve("none.csv");
    assertThatThrownBy(() -> CsvSource.builder(none).open()).hasMessage(none + ": file not found");
    Path empty = write("empty.csv", "");
    assertThatThrownBy(() -> CsvSource.builder(empty).open())
        .hasMessage(empty + ": empty file (a header row is required)");
    Path header = write("h.csv", "a,b\n");
    assertThatThrownBy(() -> CsvSource.builder(header).open())
        .hasMessage(header + ": no data rows");
    Path dup = write("d.csv", "a,a\n1,2\n");
    assertThatThrownBy(() -> CsvSource.builder(dup).open())
        .hasMessage(dup + ":1: column 'a' appears twice in the header");
    Path quote = write("u.csv", "a,b\n\"1,2\n");
    assertThatThrownBy(() -> CsvSource.builder(quote).open())
        .hasMessage(quote + ":2: unterminated quote in field 1");
  }

  @Test
  void aColumnCannotBeFeatureAndTarget() throws IOException {
    Path p = write("x.csv", "a,b\n1,2\n");
    assertThatThrownBy(() -> CsvSource.builder(p).features("a", "b").classTarget("b", "b").open())
        .hasMessageContaining("column 'b' is a feature and also a target");
  }

  @Test
  void splitHandlesEdgeCases() {
    assertThat(CsvReader.split("a,,b,", ',', "f", 1)).containsExactly("a", "", "b", "");
    assertThat(CsvReader.split(" x , \"y\" ", ',', "f", 1)).containsExactly("x", "y");
    assertThat(CsvReader.split("1\t2\r", '\t', "f", 1)).containsExactly("1", "2");
  }
}
