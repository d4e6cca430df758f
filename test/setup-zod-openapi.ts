// Unit files share one module cache per worker (isolate: false). zod 4 gives a schema its methods when it is built,
// so the OpenAPI extension must be in place before any file's first import of the schemas, whichever file runs first.
import '../functions/src/http/extend-zod-openapi';
