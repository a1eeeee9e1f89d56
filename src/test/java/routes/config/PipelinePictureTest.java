package routes.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docs/architecture.md has one picture of the pipeline, and it is the route {@code ingest} of
 * routes/ingest.camel.yaml step for step: the same step ids in the same order, each with its processor
 * ref or its endpoint. So is the one-line flow the YAML file opens with.
 */
class PipelinePictureTest {

    static final Path YAML = Path.of("src/main/resources/routes/ingest.camel.yaml");
    static final Path ARCHITECTURE = Path.of("docs/architecture.md");
    /** A step line of the picture: three spaces, the step id, two or more spaces, what it runs. */
    static final Pattern PICTURE_STEP = Pattern.compile("^   ([a-z][a-z-]*) {2,}(\\S.*)$");

    /** A step of route ingest: its id and what it runs ({@code process <ref>} or the endpoint URI). */
    record Step(String id, String runs) {
    }

    @SuppressWarnings("unchecked")
    static List<Step> yamlSteps() throws IOException {
        try (Reader reader = Files.newBufferedReader(YAML)) {
            for (Object item : (List<Object>) new Yaml().load(reader)) {
                Map<String, Object> route = (Map<String, Object>) ((Map<String, Object>) item).get("route");
                if (route == null || !"ingest".equals(route.get("id"))) {
                    continue;
                }
                List<Step> steps = new ArrayList<>();
                Map<String, Object> from = (Map<String, Object>) route.get("from");
                for (Map<String, Object> step : (List<Map<String, Object>>) from.get("steps")) {
                    Map.Entry<String, Object> only = step.entrySet().iterator().next();
                    Map<String, Object> body = (Map<String, Object>) only.getValue();
                    String runs = switch (only.getKey()) {
                        case "process" -> "process " + body.get("ref");
                        case "to" -> String.valueOf(body.get("uri"));
                        default -> only.getKey();
                    };
                    steps.add(new Step(String.valueOf(body.get("id")), runs));
                }
                return steps;
            }
        }
        throw new AssertionError("no route ingest in " + YAML);
    }

    /** The step lines of the picture, from "route ingest" to the end of its code block. */
    static List<String> pictureLines() throws IOException {
        List<String> lines = Files.readAllLines(ARCHITECTURE);
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().startsWith("route ingest (direct:ingest)")) {
                assertThat(start).as("one picture of route ingest in " + ARCHITECTURE).isEqualTo(-1);
                start = i;
            }
        }
        assertThat(start).as("the picture of route ingest in " + ARCHITECTURE).isNotNegative();
        List<String> steps = new ArrayList<>();
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
            if (PICTURE_STEP.matcher(lines.get(i)).matches()) {
                steps.add(lines.get(i));
            }
        }
        return steps;
    }

    @Test
    void thePictureShowsEveryStepOfRouteIngestInItsOrderWithWhatItRuns() throws IOException {
        List<Step> yaml = yamlSteps();
        List<String> picture = pictureLines();

        assertThat(picture.stream().map(PipelinePictureTest::id).toList())
                .as("the step ids of the picture in " + ARCHITECTURE)
                .containsExactlyElementsOf(yaml.stream().map(Step::id).toList());
        for (int i = 0; i < yaml.size(); i++) {
            Matcher line = PICTURE_STEP.matcher(picture.get(i));
            assertThat(line.matches()).isTrue();
            assertThat(line.group(2)).as("what step " + yaml.get(i).id() + " runs").startsWith(yaml.get(i).runs());
        }
    }

    @Test
    void theYamlFilesOwnOneLineFlowNamesTheSameSteps() throws IOException {
        StringBuilder flow = new StringBuilder();
        for (String line : Files.readAllLines(YAML)) {
            if (line.startsWith("#") && line.contains("→")) {
                flow.append(line.substring(1)).append(' ');
            }
        }
        List<String> ids = Arrays.stream(flow.toString().split("→")).map(String::trim).filter(s -> !s.isEmpty()).toList();

        assertThat(ids).containsExactlyElementsOf(yamlSteps().stream().map(Step::id).toList());
    }

    static String id(String pictureLine) {
        Matcher line = PICTURE_STEP.matcher(pictureLine);
        assertThat(line.matches()).isTrue();
        return line.group(1);
    }
}
