"""load_history's SQLite path: prebuilt statements run on the driver's cursor, each column
through its type's result processor (bench/README.md, "Summary"): the rows are Core's."""
from __future__ import annotations


def _patient_ids(session) -> list[int]:
    return [row[0] for row in session.connection().exec_driver_sql(
        "SELECT id FROM patient ORDER BY id")]


def test_load_historys_driver_path_gives_cores_rows_and_types(demo_db):
    """On SQLite load_history runs its statements on the driver's cursor with each column's
    result processor; the rows and their Python types are Core's, for every demo patient."""
    from app.services import history

    with demo_db.read() as session:
        connection = session.connection()
        checked = 0
        for name, statement in history._statements().items():
            if name == "patient_by_mrn":
                continue
            for patient_id in _patient_ids(session):
                fast = [tuple(row) for row in history._rows(session, statement, patient_id)]
                core = [tuple(row) for row in connection.execute(statement,
                                                                 {"patient_id": patient_id})]
                assert fast == core, (name, patient_id)
                assert [tuple(map(type, row)) for row in fast] == \
                    [tuple(map(type, row)) for row in core], (name, patient_id)
                checked += len(core)
    assert checked > 1000
