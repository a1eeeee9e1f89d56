package routes.status;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/messages/{id}}: the status row of a tracked message, 404 when there is none. */
@RestController
public class MessageStatusController {

    private final MessageStatusStore store;

    public MessageStatusController(MessageStatusStore store) {
        this.store = store;
    }

    @GetMapping("/v1/messages/{id}")
    public ResponseEntity<?> find(@PathVariable String id) {
        java.util.Optional<MessageStatus> status = store.find(id);
        if (status.isEmpty()) {
            return ResponseEntity.status(404).body(java.util.Map.of("error", "no status for message " + id));
        }
        return ResponseEntity.ok(status.get());
    }
}
