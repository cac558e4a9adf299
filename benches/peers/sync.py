"""Sync and freshness clients of benches/peers.sh (standard library only).

  sync.py records FILE N                      write N funding records (push shape), one a line
  sync.py push URL KEY SOURCE FILE            push them in calls of 500; prints "records/s notes"
  sync.py pull URL                            pull the whole `changes` feed, 1000 a page
  sync.py fresh URL KEY SOURCE                5 writes/s for 20 s; commit -> searchable p50 p99
Every answer is checked: GraphQL `errors` or `userErrors` stop the run.
"""
import json
import statistics
import sys
import threading
import time
import urllib.request

PUSH = """mutation Push($input: UpsertFundingOpportunitiesInput!) {
  upsertFundingOpportunities(input: $input) { results { externalId outcome } userErrors { field code message } } }"""
PULL = """query Pull($after: String) { changes(after: $after, first: 1000) {
  edges { node { operation id node { ... on FundingOpportunity { externalId version title }
                                     ... on Practice { slug version title } } } }
  pageInfo { hasNextPage endCursor } } }"""
FIND = """query Find($q: String!) { search(query: $q, types: [FUNDING_OPPORTUNITY], first: 10) {
  hits { node { ... on FundingOpportunity { externalId } } } } }"""


def post(url, body, key=None):
    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = "Bearer " + key
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.load(response)
    if answer.get("errors"):
        sys.exit("GraphQL errors: %s" % json.dumps(answer["errors"])[:500])
    return answer["data"]


def record(i, word="heat"):
    return {
        "externalId": "bench-%06d" % i,
        "title": "Benchmark grant %d for municipal %s pumps" % (i, word),
        "summary": "Synthetic funding record %d of the sync benchmark: grants for %s pumps in public buildings." % (i, word),
        "providerLevel": "NATIONAL", "providerCountry": "NO", "instrument": "GRANT",
        "eligibleRegions": ["NO"], "eligibleApplicants": ["CITY_GOVERNMENT"],
        "themes": ["energy"], "amountMin": 10000 + i % 100000, "amountMax": 500000, "currency": "EUR",
        "rolling": True, "url": "https://example.org/bench/%d" % i, "language": "en",
    }


def push(url, key, source, records):
    data = post(url, {"query": PUSH, "variables": {"input": {"source": source, "records": records}}}, key)
    payload = data["upsertFundingOpportunities"]
    if payload["userErrors"]:
        sys.exit("user errors: %s" % json.dumps(payload["userErrors"])[:500])
    return payload["results"]


def main():
    command = sys.argv[1]
    if command == "records":
        with open(sys.argv[2], "w") as out:
            for i in range(int(sys.argv[3])):
                out.write(json.dumps(record(i)) + "\n")
    elif command == "push":
        url, key, source, path = sys.argv[2:6]
        records = [json.loads(line) for line in open(path)]
        started = time.monotonic()
        calls = []
        for start in range(0, len(records), 500):
            call = time.monotonic()
            results = push(url, key, source, records[start:start + 500])
            calls.append(time.monotonic() - call)
            bad = [r for r in results if r["outcome"] != "CREATED"]
            if len(results) != len(records[start:start + 500]) or bad:
                sys.exit("unexpected outcomes: %s" % bad[:3])
        took = time.monotonic() - started
        calls.sort()
        print("%.0f %d records in %.2f s; a call of 500: p50 %.0f ms, max %.0f ms"
              % (len(records) / took, len(records), took, 1000 * statistics.median(calls), 1000 * calls[-1]))
    elif command == "pull":
        url = sys.argv[2]
        after, count, pages = None, 0, 0
        started = time.monotonic()
        while True:
            page = post(url, {"query": PULL, "variables": {"after": after}})["changes"]
            count += len(page["edges"])
            pages += 1
            after = page["pageInfo"]["endCursor"]
            if not page["pageInfo"]["hasNextPage"]:
                break
        took = time.monotonic() - started
        print("%.0f %d changes in %.2f s (%d pages)" % (count / took, count, took, pages))
    elif command == "fresh":
        url, key, source = sys.argv[2:5]
        lags, lock = [], threading.Lock()
        total = 100

        failures = []

        def probe(i):
            try:
                find(i)
            except BaseException as error:  # a thread's sys.exit would vanish silently
                with lock:
                    failures.append(repr(error))

        def find(i):
            word = "".join(chr(ord("a") + int(d)) for d in "%05d" % i) + "zq"
            push(url, key, source, [record(900000 + i, word)])
            committed = time.monotonic()
            wanted = "bench-%06d" % (900000 + i)
            while time.monotonic() - committed < 10:
                hits = post(url, {"query": FIND, "variables": {"q": word}})["search"]["hits"]
                if any(h["node"].get("externalId") == wanted for h in hits):
                    with lock:
                        lags.append(time.monotonic() - committed)
                    return
                time.sleep(0.01)

        threads = []
        for i in range(total):
            thread = threading.Thread(target=probe, args=(i,))
            thread.start()
            threads.append(thread)
            time.sleep(0.2)
        for thread in threads:
            thread.join()
        if failures:
            sys.exit("%d probes failed, first: %s" % (len(failures), failures[0]))
        lags.sort()
        p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))] if lags else float("nan")
        print("%.0f %.0f %d %d" % (1000 * statistics.median(lags) if lags else float("nan"), 1000 * p99, len(lags), total))


main()
