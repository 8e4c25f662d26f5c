package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's code honest: every Java code block must follow a {@code <!-- snippet: File.java#name -->}
 * line and equal the lines between {@code // snippet:name} and {@code // end:name} in that samples test file,
 * which the build compiles and runs.
 */
class ReadmeSnippetsTest {

    private static final Pattern MARKER = Pattern.compile("<!-- snippet: (\\S+)#(\\S+) -->");

    @Test
    void readmeSnippetsAreTheSamplesCode() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        Path readme = root.resolveSibling("README.md");
        if (!Files.exists(readme)) {
            readme = root.resolve("README.md");
        }
        List<String> lines = Files.readAllLines(readme);
        int checked = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).equals("```java")) {
                assertThat(i > 0 && MARKER.matcher(lines.get(i - 1)).find())
                        .as("README line %d: a ```java block is real code, preceded by a snippet marker", i + 1)
                        .isTrue();
            }
            Matcher m = MARKER.matcher(lines.get(i));
            if (!m.find()) {
                continue;
            }
            assertThat(lines.get(i + 1)).as("README line %d: a ```java block follows the marker", i + 2)
                    .isEqualTo("```java");
            List<String> block = new ArrayList<>();
            int j = i + 2;
            while (!lines.get(j).equals("```")) {
                block.add(lines.get(j++));
            }
            Path source = Path.of("src/test/java/dev/bpfunit/samples").resolve(m.group(1));
            assertThat(block).as("README snippet %s#%s", m.group(1), m.group(2))
                    .containsExactlyElementsOf(region(Files.readAllLines(source), m.group(2)));
            checked++;
        }
        assertThat(checked).as("snippets checked").isGreaterThanOrEqualTo(9);
    }

    /** The lines between the markers, with the common indentation removed. */
    static List<String> region(List<String> file, String name) {
        int start = -1;
        int end = -1;
        for (int i = 0; i < file.size(); i++) {
            String t = file.get(i).trim();
            if (t.equals("// snippet:" + name)) {
                start = i + 1;
            } else if (t.equals("// end:" + name)) {
                end = i;
            }
        }
        assertThat(start).as("marker // snippet:%s", name).isPositive();
        assertThat(end).as("marker // end:%s", name).isGreaterThan(start);
        List<String> region = file.subList(start, end);
        int indent = region.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return region.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
    }
}
