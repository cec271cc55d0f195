"""Solves an instance file on a running `convoplan serve` and prints the per-class summary.

Usage: python client.py INSTANCE.json [--addr 127.0.0.1:50051] [--token TOKEN]
       [--timeout SECONDS]

The instance file is in the canonical protobuf JSON mapping, the same file the CLI reads,
so json_format.Parse turns it into the request message as is.
"""

import argparse
import sys

import grpc
from google.protobuf import json_format

from convoplan.v1 import model_pb2, plan_pb2, planner_pb2, planner_pb2_grpc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance")
    parser.add_argument("--addr", default="127.0.0.1:50051")
    parser.add_argument("--token", help="bearer token, when the server requires one")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="deadline in seconds; the server returns its best plan by then")
    args = parser.parse_args()

    with open(args.instance, encoding="utf-8") as f:
        instance = json_format.Parse(f.read(), model_pb2.Instance())
    metadata = [("authorization", f"Bearer {args.token}")] if args.token else []
    # Large instances make large messages: lift the 4 MB default of grpcio.
    options = [("grpc.max_receive_message_length", 256 * 1024 * 1024),
               ("grpc.max_send_message_length", 256 * 1024 * 1024)]
    with grpc.insecure_channel(args.addr, options=options) as channel:
        stub = planner_pb2_grpc.PlannerStub(channel)
        try:
            response = stub.Solve(planner_pb2.SolveRequest(instance=instance, label=args.instance),
                                  timeout=args.timeout, metadata=metadata)
        except grpc.RpcError as err:
            print(f"error: {err.code().name}: {err.details()}", file=sys.stderr)
            return 1

    plan = response.plan
    urgency = {plan_pb2.URGENCY_OVERDUE: "overdue", plan_pb2.URGENCY_DUE_IN_HORIZON: "due in horizon"}
    print(f"{'class':<28} {'scheduled':>9} {'pending':>8} {'min ratio':>9}")
    for c in plan.score.classes:
        name = f"tier {c.tier:>2} {urgency.get(c.urgency, 'due later')}"
        print(f"{name:<28} {c.scheduled:>9} {c.pending:>8} {c.min_company_ratio:>9.3f}")
    report = plan.solver_report
    status = plan_pb2.SolveStatus.Name(report.status)
    print(f"{len(plan.appointments)} appointments, {len(plan.unscheduled)} unscheduled; "
          f"{status}, level 1 {'proven' if report.level1_optimal else 'not proven'}, "
          f"{report.seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
