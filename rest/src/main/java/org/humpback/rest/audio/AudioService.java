package org.humpback.rest.audio;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HttpMediaType;
import io.helidon.http.media.UnsupportedTypeException;
import io.helidon.http.media.multipart.MultiPart;
import io.helidon.http.media.multipart.ReadablePart;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.AudioMetadata;
import org.humpback.registry.dao.AudioMetadataDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.db.Database;
import org.humpback.rest.ApiException;
import org.humpback.rest.Json;
import org.humpback.rest.Requests;
import org.humpback.rest.Views.AudioFileView;
import org.humpback.rest.Views.MetadataView;

/**
 * {@code /audio}: upload (streamed, hashed, capped, deduplicated), list, get, and the metadata of a file.
 *
 * <p>A second upload of the same bytes answers 201 with the first record, as the seed does (its route declares 201).
 * Content that is no known audio container is refused with 415 at upload time and nothing is kept.
 */
public final class AudioService implements HttpService {

  private static final List<String> METADATA_FIELDS =
      List.of("tag_data", "visual_observations", "group_composition", "prey_density_proxy");
  /** Room for multipart boundaries and the folder_path field on top of the file cap. */
  private static final long MULTIPART_OVERHEAD = 1024 * 1024;

  private final Database db;
  // On-demand DAOs are thread-safe; made once rather than per request.
  private final AudioFileDao audioFileDao;
  private final AudioMetadataDao audioMetadataDao;
  private final UploadStore store;
  private final AudioProbe probe;

  public AudioService(Database db, UploadStore store, AudioProbe probe) {
    this.db = db;
    this.audioFileDao = db.dao(AudioFileDao.class);
    this.audioMetadataDao = db.dao(AudioMetadataDao.class);
    this.store = store;
    this.probe = probe;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.post("/upload", this::upload)
        .get("/", this::list)
        .get("/{id}", this::get)
        .put("/{id}/metadata", this::putMetadata);
  }

  private void upload(ServerRequest req, ServerResponse res) {
    HttpMediaType type = req.headers().contentType().orElse(null);
    if (type == null || !type.test(MediaTypes.MULTIPART_FORM_DATA)) {
      throw ApiException.unprocessable("body: expected multipart/form-data with a 'file' part");
    }
    // Refuse an obviously oversized body before reading a byte of it.
    req.headers().contentLength().ifPresent(length -> {
      if (length > store.maxBytes() + MULTIPART_OVERHEAD) {
        throw ApiException.tooLarge("Upload of " + length + " bytes exceeds the " + store.maxBytes() / (1024 * 1024)
            + " MB limit (HUMPBACK_MAX_UPLOAD_MB)");
      }
    });
    MultiPart parts;
    try {
      parts = req.content().as(MultiPart.class);
    } catch (UnsupportedTypeException | IllegalArgumentException | IllegalStateException e) {
      throw malformed(e);
    }
    UploadStore.Received received = null;
    String filename = null;
    String folderPath = null;
    try {
      while (parts.hasNext()) {
        ReadablePart part = parts.next();
        switch (part.name()) {
          case "file" -> {
            if (received != null) {
              throw ApiException.unprocessable("field 'file': send exactly one file per upload");
            }
            filename = UploadStore.displayName(part.fileName());
            received = store.receive(part.inputStream());
          }
          case "folder_path" -> folderPath = blankToNull(new String(part.inputStream().readAllBytes(),
              StandardCharsets.UTF_8));
          default -> part.consume();
        }
      }
    } catch (java.io.IOException e) {
      discard(received);
      throw new java.io.UncheckedIOException("reading multipart upload", e);
    } catch (ApiException e) {
      discard(received);
      throw e;
    } catch (UnsupportedTypeException | IllegalArgumentException | IllegalStateException
        | java.util.NoSuchElementException e) {
      // Helidon's multipart parser: no boundary, a body that is not multipart, a part cut short.
      discard(received);
      throw malformed(e);
    } catch (RuntimeException e) {
      discard(received);
      throw e;
    }
    if (received == null) {
      throw ApiException.unprocessable("field 'file': required");
    }
    Json.created(res, store(received, filename, folderPath));
  }

  private AudioFileView store(UploadStore.Received received, String filename, String folderPath) {
    AudioFileDao files = audioFileDao;
    Optional<AudioFile> existing = files.findBySha256(received.sha256());
    if (existing.isPresent()) {
      discard(received);
      return view(existing.get());
    }
    String id = Ids.newId();
    Path stored = store.place(received, id);
    try {
      AudioProbe.Info info;
      try {
        info = probe.probe(stored);
      } catch (Exception e) {
        throw ApiException.unsupportedMedia("Unsupported media: the " + received.format().extension()
            + " upload cannot be decoded (" + e.getMessage() + ")");
      }
      AudioFile row = files.insertOrGetBySha256(new AudioFile(id, filename, folderPath, received.sha256(),
          info.durationSeconds(), info.sampleRate(), info.channels(), stored.toString(),
          org.humpback.registry.db.Timestamps.now()));
      if (!row.id().equals(id)) {
        // A concurrent upload of the same bytes won the insert; keep its file, drop ours.
        store.removePlaced(id);
      }
      return view(row);
    } catch (RuntimeException e) {
      store.removePlaced(id);
      throw e;
    }
  }

  private void list(ServerRequest req, ServerResponse res) {
    Requests.Page page = Requests.Page.of(req);
    Json.ok(res, audioFileDao.list(page.limit(), page.offset()).stream().map(this::view).toList());
  }

  private void get(ServerRequest req, ServerResponse res) {
    Json.ok(res, view(find(Requests.pathId(req))));
  }

  /** Sets any of the four metadata fields; a field left out keeps its value, an explicit null clears it. */
  private void putMetadata(ServerRequest req, ServerResponse res) {
    AudioFile file = find(Requests.pathId(req));
    JsonNode body = Json.read(req, JsonNode.class);
    AudioMetadataDao dao = audioMetadataDao;
    AudioMetadata old = dao.findByAudioFileId(file.id()).orElse(null);
    String[] values = new String[4];
    for (int i = 0; i < METADATA_FIELDS.size(); i++) {
      String field = METADATA_FIELDS.get(i);
      values[i] = old == null ? null : switch (i) {
        case 0 -> old.tagData();
        case 1 -> old.visualObservations();
        case 2 -> old.groupComposition();
        default -> old.preyDensityProxy();
      };
      if (body.has(field)) {
        JsonNode v = body.get(field);
        if (!v.isNull() && !v.isObject()) {
          throw ApiException.unprocessable("field '" + field + "': expected a JSON object or null, got "
              + v.getNodeType().name().toLowerCase());
        }
        values[i] = v.isNull() ? null : v.toString();
      }
    }
    AudioMetadata saved = dao.upsert(new AudioMetadata(old == null ? null : old.id(), file.id(), values[0], values[1],
        values[2], values[3]));
    Json.ok(res, MetadataView.of(saved));
  }

  private AudioFile find(String id) {
    return audioFileDao.findById(id).orElseThrow(() -> ApiException.notFound("Audio file", id));
  }

  private AudioFileView view(AudioFile f) {
    return AudioFileView.of(f, audioMetadataDao.findByAudioFileId(f.id()).orElse(null));
  }

  private static ApiException malformed(RuntimeException e) {
    return ApiException.unprocessable("body: malformed multipart/form-data (" + e.getMessage() + ")");
  }

  private static void discard(UploadStore.Received received) {
    if (received != null) {
      UploadStore.deleteQuietly(received.tempFile());
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
