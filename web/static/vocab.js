/* The server's vocabularies (web/vocabulary.py), rendered into every page as
 * <script type="application/json" id="st-vocab">: [value, English, Chinese] lists and the
 * region's time zone. One home for them in the browser; no page writes its own copy.
 */
import { pageData } from "./dom.js";

var VOCAB = pageData("st-vocab");

// {value: [English, Chinese]} of a [value, English, Chinese] list
export function labels(list) {
  var out = {};
  (list || []).forEach(function (e) { out[e[0]] = [e[1], e[2]]; });
  return out;
}

export var localTz = VOCAB.local_tz;  // naive times sent to the server are read in this zone
export var capabilities = VOCAB.capabilities || [];
export var closureReasons = VOCAB.closure_reasons || [];
export var directions = VOCAB.directions || [];
