#!/usr/bin/env python3
"""A scripted model server for Agon's live tests: the real agent CLIs talk to it as to a vendor.

It speaks three wire protocols, each the way the real vendor streams it:
  - Anthropic Messages   POST {prefix}/v1/messages (SSE: message_start, content_block_*,
                         message_delta with usage, message_stop; or one JSON message), and
                         POST {prefix}/v1/messages/count_tokens
  - OpenAI Responses     POST {prefix}/v1/responses (SSE: response.created, output_item.added,
                         output_text.delta, function_call_arguments.delta, output_item.done,
                         response.completed with usage)
  - OpenAI chat          POST {prefix}/v1/chat/completions (SSE chunks with a final usage chunk
                         and [DONE]; or one JSON completion)

Every URL starts with /s/<script-name>, so one server plays a different script for each CLI:
ANTHROPIC_BASE_URL=http://127.0.0.1:PORT/s/claude, a codex provider with
base_url=http://127.0.0.1:PORT/s/codex/v1, OPENAI_API_BASE=http://127.0.0.1:PORT/s/aider/v1.

A script (JSON) says what each generation request returns, in order:
  {"turns": [
     {"tool": {"name": "Bash", "arguments": {"command": "..."}},
      "usage": {"input": 1000, "output": 50, "cached_input": 0, "cache_write": 0},
      "delay_ms": 20},                         # pause between streamed events
     {"text": "Done.", "usage": {"input": 1200, "output": 10}}
   ],
   "after_last": "repeat_last" | "stall" | "error"}   # what requests past the script get
A turn with "hold_open": true (Anthropic only) sends its content blocks, then only pings instead
of message_delta/message_stop. A turn with "stall": true streams its first event and then only keep-alive pings (every
delay_ms, default 500 ms) until the client goes away: the client is mid-stream when Agon kills it.
The last turn repeats when "after_last" is "repeat_last" (a model that never stops spending).

Token usage is exact: the server reports exactly the script's numbers (Anthropic: input excludes
cached tokens; OpenAI: input includes them), so a test can price the script independently.

Usage: scripted_model_server.py SCRIPT_DIR LOG_FILE
  SCRIPT_DIR holds <name>.json scripts (re-read on every request, so a test may add scripts while
  the server runs); LOG_FILE gets one JSON line per request (path, headers of interest, body,
  the turn served). The server prints its port on stdout once listening and exits when its stdin
  is closed.
"""
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCRIPT_DIR, LOG = sys.argv[1], sys.argv[2]
lock = threading.Lock()
served = {}  # script name -> generation requests served so far


def load_script(name):
    with open(os.path.join(SCRIPT_DIR, name + ".json")) as f:
        return json.load(f)


def next_turn(name):
    """The turn this request gets, and its 0-based index; None past the script's end."""
    script = load_script(name)
    turns = script["turns"]
    with lock:
        index = served.get(name, 0)
        served[name] = index + 1
    if index < len(turns):
        return turns[index], index
    after = script.get("after_last", "error")
    if after == "repeat_last":
        return turns[-1], index
    if after == "stall":
        return {"stall": True, "text": "", "usage": turns[-1].get("usage", {})}, index
    return None, index


def log(entry):
    with lock:
        with open(LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")


def usage_of(turn):
    u = turn.get("usage", {})
    return (int(u.get("input", 0)), int(u.get("cached_input", 0)), int(u.get("cache_write", 0)),
            int(u.get("output", 0)), int(u.get("reasoning", 0)))


def new_id(prefix):
    return prefix + uuid.uuid4().hex[:16]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    # ---- plumbing -------------------------------------------------------------------------------
    def reply_json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def start_sse(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def sse(self, event, obj, delay):
        if delay:
            time.sleep(delay)
        head = ("event: %s\n" % event) if event else ""
        self.wfile.write((head + "data: " + (obj if isinstance(obj, str) else json.dumps(obj)) + "\n\n").encode())
        self.wfile.flush()

    def stall(self, ping, delay):
        """Keep the stream open with keep-alive pings until the client disconnects."""
        try:
            while True:
                time.sleep(delay or 0.5)
                ping()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return

    def route(self):
        parts = self.path.split("?")[0].split("/")
        # /s/<name>/v1/...
        if len(parts) < 4 or parts[1] != "s":
            return None, self.path
        return parts[2], "/" + "/".join(parts[3:])

    def do_GET(self):
        name, path = self.route()
        log({"method": "GET", "path": self.path, "script": name})
        if path.endswith("/models"):
            # OpenAI's list shape plus codex's own (`models`), both empty.
            return self.reply_json(200, {"object": "list", "data": [], "models": []})
        self.reply_json(404, {"error": {"message": "no route " + self.path}})

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_unparsed": raw.decode("utf-8", "replace")}
        name, path = self.route()
        entry = {"method": "POST", "path": self.path, "script": name, "body": body,
                 "authorization": self.headers.get("Authorization"), "x_api_key": self.headers.get("x-api-key")}
        if name is None:
            log(entry)
            return self.reply_json(404, {"error": {"message": "use /s/<script>/v1/..."}})
        if path == "/v1/messages/count_tokens":
            log(entry)
            return self.reply_json(200, {"input_tokens": 1000})
        if path not in ("/v1/messages", "/v1/responses", "/v1/chat/completions"):
            log(entry)
            return self.reply_json(404, {"error": {"message": "no route " + path}})
        if not os.path.exists(os.path.join(SCRIPT_DIR, name + ".json")):
            log(entry)
            return self.reply_json(404, {"error": {"type": "not_found_error", "message": "no script " + name}})
        turn, index = next_turn(name)
        entry["turn"] = index
        log(entry)
        if turn is None:
            return self.reply_json(500, {"error": {"type": "api_error", "message": "scripted server: script '%s' has no turn %d" % (name, index + 1)}})
        try:
            if path == "/v1/messages":
                self.anthropic(body, turn)
            elif path == "/v1/responses":
                self.openai_responses(body, turn)
            else:
                self.chat(body, turn)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # ---- Anthropic Messages ---------------------------------------------------------------------
    def anthropic(self, body, turn):
        fresh, cached, cache_write, output, _ = usage_of(turn)
        model = body.get("model", "claude-sonnet-4-5")
        delay = turn.get("delay_ms", 0) / 1000.0
        mid = new_id("msg_")
        blocks = []
        if "tool" in turn:
            blocks.append({"type": "tool_use", "id": new_id("toolu_"), "name": turn["tool"]["name"],
                           "input": turn["tool"].get("arguments", {})})
        if turn.get("text") and "tool" not in turn:
            blocks.append({"type": "text", "text": turn["text"]})
        stop = "tool_use" if "tool" in turn else "end_turn"
        usage = {"input_tokens": fresh, "output_tokens": output, "cache_creation_input_tokens": cache_write,
                 "cache_read_input_tokens": cached}
        if not body.get("stream"):
            return self.reply_json(200, {"id": mid, "type": "message", "role": "assistant", "model": model,
                                         "content": blocks, "stop_reason": stop, "stop_sequence": None, "usage": usage})
        self.start_sse()
        start_usage = dict(usage, output_tokens=1)
        self.sse("message_start", {"type": "message_start", "message": {
            "id": mid, "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": start_usage}}, 0)
        if turn.get("stall"):
            return self.stall(lambda: self.sse("ping", {"type": "ping"}, 0), delay)
        for i, block in enumerate(blocks):
            if block["type"] == "text":
                self.sse("content_block_start", {"type": "content_block_start", "index": i,
                                                 "content_block": {"type": "text", "text": ""}}, delay)
                self.sse("content_block_delta", {"type": "content_block_delta", "index": i,
                                                 "delta": {"type": "text_delta", "text": block["text"]}}, delay)
            else:
                self.sse("content_block_start", {"type": "content_block_start", "index": i, "content_block": {
                    "type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}}, delay)
                self.sse("content_block_delta", {"type": "content_block_delta", "index": i, "delta": {
                    "type": "input_json_delta", "partial_json": json.dumps(block["input"])}}, delay)
            self.sse("content_block_stop", {"type": "content_block_stop", "index": i}, delay)
        if turn.get("hold_open"):
            # The content is complete but the message is not: the client has shown it and waits
            # for message_delta, mid-stream, until it is killed.
            return self.stall(lambda: self.sse("ping", {"type": "ping"}, 0), delay)
        self.sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                                   "usage": {"output_tokens": output}}, delay)
        self.sse("message_stop", {"type": "message_stop"}, delay)

    # ---- OpenAI Responses -----------------------------------------------------------------------
    def openai_responses(self, body, turn):
        fresh, cached, cache_write, output, reasoning = usage_of(turn)
        model = body.get("model", "gpt-5-codex")
        delay = turn.get("delay_ms", 0) / 1000.0
        rid = new_id("resp_")
        items = []
        if "tool" in turn:
            tool = turn["tool"]
            args = tool.get("arguments", {})
            items.append({"type": "function_call", "id": new_id("fc_"), "call_id": new_id("call_"),
                          "name": tool["name"], "status": "completed",
                          "arguments": args if isinstance(args, str) else json.dumps(args)})
        else:
            items.append({"type": "message", "id": new_id("msg_"), "role": "assistant", "status": "completed",
                          "content": [{"type": "output_text", "text": turn.get("text", ""), "annotations": []}]})
        # OpenAI counts cached tokens inside input_tokens.
        usage = {"input_tokens": fresh + cached, "input_tokens_details": {"cached_tokens": cached},
                 "output_tokens": output, "output_tokens_details": {"reasoning_tokens": reasoning},
                 "total_tokens": fresh + cached + output}
        response = {"id": rid, "object": "response", "created_at": int(time.time()), "model": model,
                    "status": "in_progress", "output": []}
        self.start_sse()
        seq = [0]

        def send(kind, obj, d):
            obj = dict(obj, type=kind, sequence_number=seq[0])
            seq[0] += 1
            self.sse(kind, obj, d)

        send("response.created", {"response": response}, 0)
        if turn.get("stall"):
            # Responses streams have no ping event; a keep-alive SSE comment is what proxies send.
            def ping():
                self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
            return self.stall(ping, delay)
        send("response.in_progress", {"response": response}, delay)
        for i, item in enumerate(items):
            if item["type"] == "function_call":
                send("response.output_item.added", {"output_index": i, "item": dict(item, arguments="", status="in_progress")}, delay)
                send("response.function_call_arguments.delta", {"item_id": item["id"], "output_index": i,
                                                                "delta": item["arguments"]}, delay)
                send("response.function_call_arguments.done", {"item_id": item["id"], "output_index": i,
                                                               "arguments": item["arguments"]}, delay)
            else:
                text = item["content"][0]["text"]
                send("response.output_item.added", {"output_index": i, "item": dict(item, content=[], status="in_progress")}, delay)
                send("response.content_part.added", {"item_id": item["id"], "output_index": i, "content_index": 0,
                                                     "part": {"type": "output_text", "text": "", "annotations": []}}, delay)
                send("response.output_text.delta", {"item_id": item["id"], "output_index": i, "content_index": 0,
                                                    "delta": text}, delay)
                send("response.output_text.done", {"item_id": item["id"], "output_index": i, "content_index": 0,
                                                   "text": text}, delay)
                send("response.content_part.done", {"item_id": item["id"], "output_index": i, "content_index": 0,
                                                    "part": item["content"][0]}, delay)
            send("response.output_item.done", {"output_index": i, "item": item}, delay)
        send("response.completed", {"response": dict(response, status="completed", output=items, usage=usage)}, delay)

    # ---- OpenAI chat completions ----------------------------------------------------------------
    def chat(self, body, turn):
        fresh, cached, cache_write, output, reasoning = usage_of(turn)
        model = body.get("model", "gpt-4o")
        delay = turn.get("delay_ms", 0) / 1000.0
        cid = new_id("chatcmpl-")
        usage = {"prompt_tokens": fresh + cached, "completion_tokens": output, "total_tokens": fresh + cached + output,
                 "prompt_tokens_details": {"cached_tokens": cached},
                 "completion_tokens_details": {"reasoning_tokens": reasoning}}
        message = {"role": "assistant", "content": turn.get("text")}
        finish = "stop"
        if "tool" in turn:
            args = turn["tool"].get("arguments", {})
            message["tool_calls"] = [{"id": new_id("call_"), "type": "function", "function": {
                "name": turn["tool"]["name"], "arguments": args if isinstance(args, str) else json.dumps(args)}}]
            finish = "tool_calls"
        if not body.get("stream"):
            return self.reply_json(200, {"id": cid, "object": "chat.completion", "created": int(time.time()),
                                         "model": model, "usage": usage,
                                         "choices": [{"index": 0, "message": message, "finish_reason": finish}]})
        self.start_sse()

        def chunk(delta, finish_reason=None, with_usage=None):
            obj = {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
                   "choices": [] if with_usage else [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
            if with_usage:
                obj["usage"] = with_usage
            return obj

        self.sse(None, chunk({"role": "assistant", "content": ""}), 0)
        if turn.get("stall"):
            # Chat streams have no ping event either: a keep-alive SSE comment.
            def ping():
                self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
            return self.stall(ping, delay)
        text = turn.get("text") or ""
        # Stream the text in pieces (lines) so a client that prints as it streams shows progress.
        pieces = [p for p in text.splitlines(True)] or [""]
        for p in pieces:
            self.sse(None, chunk({"content": p}), delay)
        if "tool_calls" in message:
            call = message["tool_calls"][0]
            self.sse(None, chunk({"tool_calls": [dict(call, index=0)]}), delay)
        self.sse(None, chunk({}, finish), delay)
        # OpenAI sends usage only with stream_options.include_usage; sending it always is what
        # many compatible servers do, and clients that did not ask ignore it.
        self.sse(None, chunk({}, with_usage=usage), delay)
        self.sse(None, "[DONE]", 0)


def watch_stdin():
    sys.stdin.read()  # the test closed our stdin: exit
    os._exit(0)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Thread(target=watch_stdin, daemon=True).start()
print(server.server_address[1], flush=True)
server.serve_forever()
