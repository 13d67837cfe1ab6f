"""In robust mode the hypercube varies the assumptions, never what the scenario or the user fixes."""

from concurrent.futures import Future

from villagesim.planner import Evaluator, draws, robust_keys


class Recorder:
    """An executor that keeps each task and returns a constant outcome."""

    def __init__(self):
        self.tasks = []

    def submit(self, fn, task):
        from villagesim.sweep import Outcome

        self.tasks.append(task)
        future = Future()
        future.set_result(Outcome(task.run_id, None, 0.0, (0.5,), ()))
        return future


def test_a_key_the_scenario_sets_keeps_its_value_and_the_others_are_drawn():
    assert {"trust.baseline", "participation.threshold_mean"} <= set(robust_keys())
    recorder = Recorder()
    fixed = {"trust.baseline": 0.35, "participation.threshold_mean": 0.58}
    evaluate = Evaluator(fixed, 12, {"participation_rate": 1.0}, recorder)
    points = draws(3, 1, 4, 0, robust=True)
    evaluate([{"interventions.training.intensity": 0.5}], points)
    for task, (_, point) in zip(recorder.tasks, points):
        assert task.overrides["trust.baseline"] == 0.35 and task.overrides["participation.threshold_mean"] == 0.58
        assert task.overrides["trust.relaxation"] == point["trust.relaxation"] != 0.01
        assert task.overrides["interventions.training.intensity"] == 0.5
