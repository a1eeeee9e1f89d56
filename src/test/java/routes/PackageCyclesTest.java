package routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Pairs of top-level packages under {@code routes} (sub-packages count as their parent: {@code source.http}
 * is {@code source}) that must not depend on each other both ways. A dependency is any use of the other
 * package in code: an import, a static import or a fully qualified name; comments and string literals do
 * not count. Plain source scanning, no ArchUnit.
 */
class PackageCyclesTest {

    static final Path MAIN = Path.of("src/main/java");

    /** One line per pair; a pair is checked while its line is in. */
    static final String[][] NO_CYCLE_BETWEEN = {
        {"ops", "source"},
        // {"pipeline", "status"}, // issue 14: enable once the pipeline rework (branch i14-core) has removed this cycle
    };

    private static final Pattern REFERENCE = Pattern.compile("\\broutes\\.([a-z][a-z0-9_]*)\\.");

    @Test
    void theListedPackagesDoNotDependOnEachOtherBothWays() {
        Map<String, Map<String, Set<String>>> dependencies = dependencies(MAIN.resolve("routes"));
        assertThat(dependencies).as("packages scanned").containsKeys("ops", "source", "pipeline", "status");
        List<String> cycles = new ArrayList<>();
        for (String[] pair : NO_CYCLE_BETWEEN) {
            Set<String> there = users(dependencies, pair[0], pair[1]);
            Set<String> back = users(dependencies, pair[1], pair[0]);
            if (!there.isEmpty() && !back.isEmpty()) {
                cycles.add(pair[0] + " → " + pair[1] + " in " + there + ", and " + pair[1] + " → " + pair[0] + " in " + back);
            }
        }
        assertThat(cycles).as("package cycles").isEmpty();
    }

    @Test
    void aDependencyIsCodeNotACommentOrAString() {
        String source = """
                package routes.a;

                import routes.b.Imported;
                import static routes.c.Helpers.help;

                /** Mentions {@link routes.d.InJavadoc} only. */
                class Example {
                    // routes.e.InALineComment
                    String text = "routes.f.InAString // not a comment";
                    String block = \"""
                            routes.g.InATextBlock
                            \""";
                    routes.h.Qualified field = new routes.h.Qualified();
                    char quote = '"';
                    routes.i.AfterACharLiteral other;
                }
                """;
        assertThat(referencedPackages(source)).containsExactly("b", "c", "h", "i");
    }

    /** Who uses {@code to} in {@code from}: the files of {@code from} that reference it. */
    static Set<String> users(Map<String, Map<String, Set<String>>> dependencies, String from, String to) {
        return dependencies.getOrDefault(from, Map.of()).getOrDefault(to, Set.of());
    }

    /** Package → (package it references → files referencing it), over the .java files under {@code root}. */
    static Map<String, Map<String, Set<String>>> dependencies(Path root) {
        Map<String, Map<String, Set<String>>> result = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = root.relativize(file);
                if (relative.getNameCount() < 2) {
                    continue; // routes.IngestApplication: the root wires everything
                }
                String own = relative.getName(0).toString();
                for (String used : referencedPackages(Files.readString(file))) {
                    if (!used.equals(own)) {
                        result.computeIfAbsent(own, k -> new TreeMap<>())
                                .computeIfAbsent(used, k -> new TreeSet<>()).add(relative.toString());
                    }
                }
                result.computeIfAbsent(own, k -> new TreeMap<>());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }

    /** The top-level packages under {@code routes} that a Java source references in code. */
    static Set<String> referencedPackages(String javaSource) {
        Set<String> packages = new TreeSet<>();
        Matcher m = REFERENCE.matcher(codeOnly(javaSource));
        while (m.find()) {
            packages.add(m.group(1));
        }
        return packages;
    }

    /** The source with comments, string and text-block literals and char literals blanked out. */
    static String codeOnly(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("//", i)) {
                i = skipTo(s, i, "\n", 0);
            } else if (s.startsWith("/*", i)) {
                i = skipTo(s, i + 2, "*/", 2);
            } else if (s.startsWith("\"\"\"", i)) {
                i = skipTo(s, i + 3, "\"\"\"", 3);
            } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
                char quote = s.charAt(i++);
                while (i < s.length() && s.charAt(i) != quote) {
                    i += s.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
            } else {
                out.append(s.charAt(i++));
                continue;
            }
            out.append(' ');
        }
        return out.toString();
    }

    /** The index after {@code end} (of length {@code endLength}, 0 to stop before it), from {@code from}. */
    private static int skipTo(String s, int from, String end, int endLength) {
        int at = s.indexOf(end, from);
        return at < 0 ? s.length() : at + endLength;
    }
}
