package routes.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * Keeps the "coming from a seed system" pages honest: every variable in a mapping table (a table with a
 * "… variable" and an "our key" column, in docs/seeds/*.md and docs/delivery.md) is wired as
 * {@code ${VARIABLE} in the value of that very key in src/main/resources/application*.yml, and the
 * default the page gives is the placeholder's own. A row whose key says "not yet" or "not supported"
 * must name a variable that is wired nowhere, so the page is corrected the day it is.
 */
class SeedPagesTest {

    private static final Path SEEDS = Path.of("docs/seeds");
    private static final List<String> PAGES = List.of("000-rabbitmq-daily-stats.md", "001-nats-ingestion.md",
            "002-delivery-worker.md", "003-job-worker.md", "004-scaling-pool.md");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern VARIABLE = Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9-]*(\\.[a-z0-9-]+)+");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");

    /** One row of a mapping table, with where it was found. */
    record Row(String where, String variables, String keys, String defaults) {
    }

    @Test
    void everyMappedVariableIsWiredToItsKeyWithTheDefaultThePageGives() throws IOException {
        Map<String, Map<String, String>> yaml = applicationYaml();
        List<Row> rows = mappingRows();
        assertThat(rows).as("mapping rows in docs/seeds and docs/delivery.md").hasSizeGreaterThan(20);

        List<String> problems = new ArrayList<>();
        for (Row row : rows) {
            List<String> variables = codes(row.variables(), VARIABLE);
            if (variables.isEmpty()) {
                problems.add(row.where() + ": no `VARIABLE` in the variable column");
                continue;
            }
            String keyCell = row.keys().toLowerCase();
            if (keyCell.contains("not yet") || keyCell.contains("not supported")) {
                for (String variable : variables) {
                    if (wiredAnywhere(yaml, variable)) {
                        problems.add(row.where() + ": " + variable + " is listed as not supported but is wired now");
                    }
                }
                continue;
            }
            List<String> keys = codes(row.keys(), KEY);
            if (keys.isEmpty()) {
                problems.add(row.where() + ": no `our.key` in the key column");
                continue;
            }
            for (String variable : variables) {
                List<String> defaults = new ArrayList<>();
                boolean wired = false;
                for (Map<String, String> file : yaml.values()) {
                    for (String key : keys) {
                        String value = file.get(key);
                        String placeholderDefault = value == null ? null : defaultOf(value, variable);
                        if (placeholderDefault != null) {
                            wired = true;
                            if (!placeholderDefault.isEmpty()) {
                                defaults.add(placeholderDefault);
                            }
                        }
                    }
                }
                if (!wired) {
                    problems.add(row.where() + ": " + variable + " is not ${" + variable + "…} in the value of "
                            + keys + " in application*.yml");
                } else if (!defaults.isEmpty() && row.defaults() != null
                        && defaults.stream().noneMatch(d -> row.defaults().contains("`" + d + "`"))) {
                    problems.add(row.where() + ": " + variable + " defaults to " + defaults
                            + " in application*.yml, the page says " + row.defaults().strip());
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everySeedHasItsPageWithAMappingTableAndTheIndexesLinkThem() throws IOException {
        String index = Files.readString(SEEDS.resolve("README.md"));
        for (String page : PAGES) {
            assertThat(SEEDS.resolve(page)).exists();
            assertThat(index).as("docs/seeds/README.md links " + page).contains("](" + page + ")");
        }
        List<Row> rows = mappingRows();
        for (String page : PAGES) {
            boolean ownTable = rows.stream().anyMatch(r -> r.where().startsWith(SEEDS.resolve(page).toString()));
            boolean pointsToOne = page.equals("002-delivery-worker.md")
                    && Files.readString(SEEDS.resolve(page)).contains("../delivery.md#coming-from-the-delivery-worker");
            assertThat(ownTable || pointsToOne).as(page + " has a mapping table (or points to one)").isTrue();
        }
        assertThat(Files.readString(Path.of("README.md"))).contains("docs/seeds/");
    }

    @Test
    void everyRelativeLinkOfTheSeedPagesLeadsToAFile() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path page : seedPages()) {
            Matcher link = LINK.matcher(Files.readString(page));
            while (link.find()) {
                String target = link.group(1);
                if (!target.contains("://") && !Files.exists(page.getParent().resolve(target).normalize())) {
                    broken.add(page + " → " + target);
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    /** The placeholder default of {@code variable} in {@code value} with nothing set, or null if it is not there. */
    static String defaultOf(String value, String variable) {
        int at = indexOfPlaceholder(value, variable);
        if (at < 0) {
            return null;
        }
        int start = at + 2 + variable.length();
        int end = closingBrace(value, at + 2);
        return value.charAt(start) == ':' ? resolve(value.substring(start + 1, end)) : "";
    }

    private static int indexOfPlaceholder(String value, String variable) {
        for (int i = value.indexOf("${" + variable); i >= 0; i = value.indexOf("${" + variable, i + 1)) {
            char next = value.charAt(i + 2 + variable.length());
            if (next == ':' || next == '}') {
                return i;
            }
        }
        return -1;
    }

    /** Replaces every placeholder by its own default: what the value is with no variable set. */
    static String resolve(String expression) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < expression.length()) {
            int open = expression.indexOf("${", i);
            if (open < 0) {
                out.append(expression.substring(i));
                break;
            }
            out.append(expression, i, open);
            int close = closingBrace(expression, open + 2);
            String inner = expression.substring(open + 2, close);
            int colon = topLevelColon(inner);
            out.append(colon < 0 ? "" : resolve(inner.substring(colon + 1)));
            i = close + 1;
        }
        return out.toString();
    }

    private static int closingBrace(String s, int from) {
        int depth = 1;
        for (int i = from; i < s.length(); i++) {
            if (s.startsWith("${", i)) {
                depth++;
                i++;
            } else if (s.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unbalanced placeholder in " + s);
    }

    private static int topLevelColon(String inner) {
        int depth = 0;
        for (int i = 0; i < inner.length(); i++) {
            if (inner.startsWith("${", i)) {
                depth++;
                i++;
            } else if (inner.charAt(i) == '}') {
                depth--;
            } else if (inner.charAt(i) == ':' && depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static boolean wiredAnywhere(Map<String, Map<String, String>> yaml, String variable) {
        return yaml.values().stream().flatMap(f -> f.values().stream())
                .anyMatch(v -> indexOfPlaceholder(v, variable) >= 0);
    }

    private static List<String> codes(String cell, Pattern shape) {
        List<String> found = new ArrayList<>();
        Matcher code = CODE.matcher(cell);
        while (code.find()) {
            if (shape.matcher(code.group(1)).matches()) {
                found.add(code.group(1));
            }
        }
        return found;
    }

    private static List<Path> seedPages() throws IOException {
        try (Stream<Path> pages = Files.list(SEEDS)) {
            return pages.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
    }

    /** The rows of every table with a "… variable" column and an "our key" column. */
    static List<Row> mappingRows() throws IOException {
        List<Path> pages = new ArrayList<>(seedPages());
        pages.add(Path.of("docs/delivery.md"));
        List<Row> rows = new ArrayList<>();
        for (Path page : pages) {
            List<String> lines = Files.readAllLines(page);
            int variable = -1;
            int key = -1;
            int defaults = -1;
            for (int n = 0; n < lines.size(); n++) {
                String line = lines.get(n).strip();
                if (!line.startsWith("|")) {
                    variable = -1;
                    continue;
                }
                List<String> cells = cells(line);
                boolean header = n + 1 < lines.size() && lines.get(n + 1).strip().startsWith("|---");
                if (header) {
                    variable = key = defaults = -1;
                    for (int c = 0; c < cells.size(); c++) {
                        String name = cells.get(c).toLowerCase();
                        if (name.contains("variable") && variable < 0) {
                            variable = c;
                        } else if (name.equals("our key")) {
                            key = c;
                        } else if (name.equals("default")) {
                            defaults = c;
                        }
                    }
                    if (key < 0) {
                        variable = -1;
                    }
                } else if (variable >= 0 && !line.startsWith("|---") && cells.size() > Math.max(variable, key)) {
                    rows.add(new Row(page + ":" + (n + 1), cells.get(variable), cells.get(key),
                            defaults >= 0 && defaults < cells.size() ? cells.get(defaults) : null));
                }
            }
        }
        return rows;
    }

    /** The cells of a Markdown table line; a pipe inside backticks does not split. */
    private static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean code = false;
        for (int i = 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '`') {
                code = !code;
            }
            if (c == '|' && !code) {
                cells.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        return cells;
    }

    /** Each application*.yml as flat keys → raw values (placeholders unresolved). */
    private static Map<String, Map<String, String>> applicationYaml() throws IOException {
        Map<String, Map<String, String>> files = new LinkedHashMap<>();
        try (Stream<Path> all = Files.list(Path.of("src/main/resources"))) {
            for (Path file : all.filter(p -> p.getFileName().toString().matches("application.*\\.ya?ml")).sorted()
                    .toList()) {
                Map<String, String> flat = new LinkedHashMap<>();
                for (PropertySource<?> source : new YamlPropertySourceLoader()
                        .load(file.toString(), new FileSystemResource(file))) {
                    EnumerablePropertySource<?> enumerable = (EnumerablePropertySource<?>) source;
                    for (String name : enumerable.getPropertyNames()) {
                        flat.put(name, String.valueOf(enumerable.getProperty(name)));
                    }
                }
                files.put(file.toString(), flat);
            }
        }
        assertThat(files).as("application*.yml").hasSizeGreaterThanOrEqualTo(3);
        return files;
    }
}
