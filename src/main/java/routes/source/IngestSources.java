package routes.source;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/** The enabled broker sources, by name. */
@Component
public class IngestSources {

    private final Map<String, IngestSource> byName;

    public IngestSources(List<IngestSource> sources) {
        this.byName = sources.stream().collect(Collectors.toUnmodifiableMap(IngestSource::name, Function.identity()));
    }

    public Optional<IngestSource> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<IngestSource> all() {
        return List.copyOf(byName.values());
    }
}
