"""first schema: patients, ulcers, visits, labs, treatments, settings

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 10:14:51.309981
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('patient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mrn', sa.String(length=32), nullable=False),
    sa.Column('mrn_key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_search', sa.String(length=120), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('sex', sa.String(length=1), nullable=True),
    sa.Column('diabetes_type', sa.String(length=8), nullable=True),
    sa.Column('diabetes_duration_years', sa.Float(), nullable=True),
    sa.Column('hba1c_enrolment_pct', sa.Float(), nullable=True),
    sa.Column('pad', sa.Boolean(), nullable=False),
    sa.Column('neuropathy', sa.Boolean(), nullable=False),
    sa.Column('smoking', sa.Boolean(), nullable=False),
    sa.Column('ckd', sa.Boolean(), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('arm', sa.String(length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deletion_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("arm IS NULL OR arm IN ('exosome', 'exosome+msc', 'standard')", name=op.f('ck_patient_arm')),
    sa.CheckConstraint("diabetes_type IS NULL OR diabetes_type IN ('1', '2', 'other')", name=op.f('ck_patient_diabetes_type')),
    sa.CheckConstraint("sex IS NULL OR sex IN ('F', 'M', 'X')", name=op.f('ck_patient_sex')),
    sa.CheckConstraint('diabetes_duration_years IS NULL OR (diabetes_duration_years >= 0 AND diabetes_duration_years <= 120)', name=op.f('ck_patient_duration')),
    sa.CheckConstraint('hba1c_enrolment_pct IS NULL OR (hba1c_enrolment_pct >= 2 AND hba1c_enrolment_pct <= 25)', name=op.f('ck_patient_hba1c')),
    sa.CheckConstraint('length(mrn) BETWEEN 1 AND 32', name=op.f('ck_patient_mrn_length')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient')),
    sa.UniqueConstraint('mrn_key', name=op.f('uq_patient_mrn_key'))
    )
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.create_index('ix_patient_name_search', ['name_search'], unique=False)

    op.create_table('reference_range',
    sa.Column('analyte', sa.String(length=32), nullable=False),
    sa.Column('low', sa.Float(), nullable=True),
    sa.Column('high', sa.Float(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('low IS NULL OR high IS NULL OR low <= high', name=op.f('ck_reference_range_ordered')),
    sa.PrimaryKeyConstraint('analyte', name=op.f('pk_reference_range'))
    )
    op.create_table('setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('ulcer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=60), nullable=False),
    sa.Column('episode_no', sa.Integer(), nullable=False),
    sa.Column('onset_date', sa.Date(), nullable=True),
    sa.Column('etiology', sa.String(length=16), nullable=True),
    sa.Column('wagner_grade', sa.Integer(), nullable=True),
    sa.Column('ut_grade', sa.Integer(), nullable=True),
    sa.Column('ut_stage', sa.String(length=1), nullable=True),
    sa.Column('clinician_status', sa.String(length=16), nullable=True),
    sa.Column('recurrence_of_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("clinician_status IS NULL OR clinician_status IN ('amputated', 'lost')", name=op.f('ck_ulcer_status')),
    sa.CheckConstraint("etiology IS NULL OR etiology IN ('neuropathic', 'ischemic', 'neuro-ischemic')", name=op.f('ck_ulcer_etiology')),
    sa.CheckConstraint("ut_stage IS NULL OR ut_stage IN ('A', 'B', 'C', 'D')", name=op.f('ck_ulcer_ut_stage')),
    sa.CheckConstraint('episode_no >= 1', name=op.f('ck_ulcer_episode_no')),
    sa.CheckConstraint('ut_grade IS NULL OR (ut_grade >= 0 AND ut_grade <= 3)', name=op.f('ck_ulcer_ut_grade')),
    sa.CheckConstraint('wagner_grade IS NULL OR (wagner_grade >= 0 AND wagner_grade <= 5)', name=op.f('ck_ulcer_wagner')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_ulcer_patient_id_patient'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recurrence_of_id'], ['ulcer.id'], name=op.f('fk_ulcer_recurrence_of_id_ulcer'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ulcer')),
    sa.UniqueConstraint('patient_id', 'site', 'episode_no', name='site_episode')
    )
    with op.batch_alter_table('ulcer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ulcer_patient_id'), ['patient_id'], unique=False)

    op.create_table('visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('clinician', sa.String(length=120), nullable=True),
    sa.Column('vas', sa.Float(), nullable=True),
    sa.Column('next_visit_date', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=True),
    sa.Column('updated_by', sa.String(length=120), nullable=True),
    sa.Column('signed_by', sa.String(length=120), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deletion_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('vas IS NULL OR (vas >= 0 AND vas <= 10)', name=op.f('ck_visit_vas')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_visit_patient_id_patient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit'))
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index('ix_visit_date', ['visit_date'], unique=False)
        batch_op.create_index('ix_visit_patient_date', ['patient_id', 'visit_date'], unique=False)
        batch_op.create_index('uq_visit_patient_date', ['patient_id', 'visit_date'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('adverse_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('onset_date', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('ctcae_grade', sa.Integer(), nullable=False),
    sa.Column('serious', sa.Boolean(), nullable=False),
    sa.Column('relatedness', sa.String(length=16), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deletion_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('recovered', 'recovering', 'not_recovered', 'recovered_with_sequelae', 'fatal', 'unknown')", name=op.f('ck_adverse_event_outcome')),
    sa.CheckConstraint("relatedness IS NULL OR relatedness IN ('unrelated', 'unlikely', 'possible', 'probable', 'definite')", name=op.f('ck_adverse_event_relatedness')),
    sa.CheckConstraint('ctcae_grade BETWEEN 1 AND 5', name=op.f('ck_adverse_event_grade')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_adverse_event_patient_id_patient'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_adverse_event_visit_id_visit'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adverse_event'))
    )
    with op.batch_alter_table('adverse_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adverse_event_patient_id'), ['patient_id'], unique=False)

    op.create_table('assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('ulcer_id', sa.Integer(), nullable=False),
    sa.Column('length_cm', sa.Float(), nullable=True),
    sa.Column('width_cm', sa.Float(), nullable=True),
    sa.Column('depth_cm', sa.Float(), nullable=True),
    sa.Column('traced_area_cm2', sa.Float(), nullable=True),
    sa.Column('method', sa.String(length=16), nullable=True),
    sa.Column('granulation_pct', sa.Float(), nullable=True),
    sa.Column('epithelial_pct', sa.Float(), nullable=True),
    sa.Column('slough_pct', sa.Float(), nullable=True),
    sa.Column('necrotic_pct', sa.Float(), nullable=True),
    sa.Column('exudate', sa.String(length=16), nullable=True),
    sa.Column('infection_signs', sa.Boolean(), nullable=False),
    sa.Column('periwound', sa.String(length=16), nullable=True),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.CheckConstraint("exudate IS NULL OR exudate IN ('none', 'light', 'moderate', 'heavy')", name=op.f('ck_assessment_exudate')),
    sa.CheckConstraint("method IS NULL OR method IN ('ruler', 'tracing', 'photo')", name=op.f('ck_assessment_method')),
    sa.CheckConstraint("periwound IS NULL OR periwound IN ('intact', 'macerated', 'callus', 'erythema', 'induration', 'dry')", name=op.f('ck_assessment_periwound')),
    sa.CheckConstraint('NOT (length_cm = 0 AND width_cm > 0) AND NOT (width_cm = 0 AND length_cm > 0)', name=op.f('ck_assessment_l_w_zero_together')),
    sa.CheckConstraint('depth_cm IS NULL OR (depth_cm >= 0 AND depth_cm <= 20)', name=op.f('ck_assessment_depth_cm')),
    sa.CheckConstraint('epithelial_pct IS NULL OR (epithelial_pct >= 0 AND epithelial_pct <= 100)', name=op.f('ck_assessment_epithelial_pct')),
    sa.CheckConstraint('granulation_pct IS NULL OR (granulation_pct >= 0 AND granulation_pct <= 100)', name=op.f('ck_assessment_granulation_pct')),
    sa.CheckConstraint('length_cm IS NULL OR (length_cm >= 0 AND length_cm <= 50)', name=op.f('ck_assessment_length_cm')),
    sa.CheckConstraint('necrotic_pct IS NULL OR (necrotic_pct >= 0 AND necrotic_pct <= 100)', name=op.f('ck_assessment_necrotic_pct')),
    sa.CheckConstraint('slough_pct IS NULL OR (slough_pct >= 0 AND slough_pct <= 100)', name=op.f('ck_assessment_slough_pct')),
    sa.CheckConstraint('traced_area_cm2 IS NULL OR (traced_area_cm2 >= 0 AND traced_area_cm2 <= 2500)', name=op.f('ck_assessment_traced_area_cm2')),
    sa.CheckConstraint('width_cm IS NULL OR (width_cm >= 0 AND width_cm <= 50)', name=op.f('ck_assessment_width_cm')),
    sa.ForeignKeyConstraint(['ulcer_id'], ['ulcer.id'], name=op.f('fk_assessment_ulcer_id_ulcer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_assessment_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment')),
    sa.UniqueConstraint('visit_id', 'ulcer_id', name='visit_ulcer')
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_ulcer_id'), ['ulcer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_visit_id'), ['visit_id'], unique=False)

    op.create_table('lab_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('analyte', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('raw_value', sa.Float(), nullable=False),
    sa.Column('raw_unit', sa.String(length=16), nullable=False),
    sa.Column('ref_low', sa.Float(), nullable=True),
    sa.Column('ref_high', sa.Float(), nullable=True),
    sa.Column('flag', sa.String(length=1), nullable=True),
    sa.Column('loinc', sa.String(length=16), nullable=True),
    sa.Column('collected_on', sa.Date(), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("analyte IN ('crp_mg_l', 'esr_mm_h', 'wbc_10e9_l', 'hba1c_pct', 'glucose_mmol_l', 'albumin_g_l', 'tnf_alpha_pg_ml', 'il1b_pg_ml', 'il6_pg_ml', 'il10_pg_ml', 'mda_umol_l', 'sod_u_ml', 'gpx_u_l', 'tac_mmol_l', 'abi', 'tbi', 'tcpo2_mmhg') AND (analyte <> 'crp_mg_l' OR (value >= 0.0 AND value <= 1000.0)) AND (analyte <> 'esr_mm_h' OR (value >= 0.0 AND value <= 200.0)) AND (analyte <> 'wbc_10e9_l' OR (value >= 0.0 AND value <= 500.0)) AND (analyte <> 'hba1c_pct' OR (value >= 2.0 AND value <= 25.0)) AND (analyte <> 'glucose_mmol_l' OR (value >= 0.5 AND value <= 100.0)) AND (analyte <> 'albumin_g_l' OR (value >= 5.0 AND value <= 80.0)) AND (analyte <> 'tnf_alpha_pg_ml' OR (value >= 0.0 AND value <= 100000.0)) AND (analyte <> 'il1b_pg_ml' OR (value >= 0.0 AND value <= 100000.0)) AND (analyte <> 'il6_pg_ml' OR (value >= 0.0 AND value <= 100000.0)) AND (analyte <> 'il10_pg_ml' OR (value >= 0.0 AND value <= 100000.0)) AND (analyte <> 'mda_umol_l' OR (value >= 0.0 AND value <= 1000.0)) AND (analyte <> 'sod_u_ml' OR (value >= 0.0 AND value <= 100000.0)) AND (analyte <> 'gpx_u_l' OR (value >= 0.0 AND value <= 100000.0)) AND (analyte <> 'tac_mmol_l' OR (value >= 0.0 AND value <= 100.0)) AND (analyte <> 'abi' OR (value >= 0.0 AND value <= 3.0)) AND (analyte <> 'tbi' OR (value >= 0.0 AND value <= 2.0)) AND (analyte <> 'tcpo2_mmhg' OR (value >= 0.0 AND value <= 150.0))", name=op.f('ck_lab_result_value_in_limits')),
    sa.CheckConstraint("flag IS NULL OR flag IN ('H', 'L', 'N')", name=op.f('ck_lab_result_flag')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_lab_result_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_result')),
    sa.UniqueConstraint('visit_id', 'analyte', name='visit_analyte')
    )
    with op.batch_alter_table('lab_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_result_visit_id'), ['visit_id'], unique=False)

    op.create_table('perfusion_imaging',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('doppler_waveform', sa.String(length=16), nullable=True),
    sa.Column('doppler_flow', sa.String(length=120), nullable=True),
    sa.Column('imaging_modality', sa.String(length=16), nullable=True),
    sa.Column('imaging_depth_cm', sa.Float(), nullable=True),
    sa.Column('osteomyelitis', sa.String(length=16), nullable=True),
    sa.Column('imaging_findings', sa.Text(), nullable=True),
    sa.CheckConstraint("doppler_waveform IS NULL OR doppler_waveform IN ('triphasic', 'biphasic', 'monophasic', 'absent')", name=op.f('ck_perfusion_imaging_waveform')),
    sa.CheckConstraint("osteomyelitis IS NULL OR osteomyelitis IN ('yes', 'no', 'suspected')", name=op.f('ck_perfusion_imaging_osteomyelitis')),
    sa.CheckConstraint('imaging_depth_cm IS NULL OR (imaging_depth_cm >= 0 AND imaging_depth_cm <= 20)', name=op.f('ck_perfusion_imaging_depth')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_perfusion_imaging_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_perfusion_imaging')),
    sa.UniqueConstraint('visit_id', name=op.f('uq_perfusion_imaging_visit_id'))
    )
    op.create_table('treatment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('ulcer_id', sa.Integer(), nullable=True),
    sa.Column('exosome_product', sa.String(length=120), nullable=True),
    sa.Column('exosome_source', sa.String(length=16), nullable=True),
    sa.Column('exosome_lot', sa.String(length=60), nullable=True),
    sa.Column('exosome_dose', sa.Float(), nullable=True),
    sa.Column('exosome_dose_unit', sa.String(length=16), nullable=True),
    sa.Column('exosome_volume_ml', sa.Float(), nullable=True),
    sa.Column('exosome_route', sa.String(length=16), nullable=True),
    sa.Column('msc_cotherapy', sa.Boolean(), nullable=False),
    sa.Column('msc_cells_million', sa.Float(), nullable=True),
    sa.Column('debridement', sa.Boolean(), nullable=False),
    sa.Column('dressing', sa.String(length=120), nullable=True),
    sa.Column('offloading', sa.String(length=120), nullable=True),
    sa.Column('antibiotics', sa.String(length=120), nullable=True),
    sa.CheckConstraint("exosome_route IS NULL OR exosome_route IN ('topical', 'perilesional', 'intralesional', 'iv')", name=op.f('ck_treatment_route')),
    sa.CheckConstraint("exosome_source IS NULL OR exosome_source IN ('bone_marrow', 'adipose', 'umbilical_cord')", name=op.f('ck_treatment_source')),
    sa.CheckConstraint('exosome_dose IS NULL OR (exosome_dose >= 0 AND exosome_dose <= 1e+16)', name=op.f('ck_treatment_dose')),
    sa.CheckConstraint('exosome_volume_ml IS NULL OR (exosome_volume_ml >= 0 AND exosome_volume_ml <= 100)', name=op.f('ck_treatment_volume')),
    sa.CheckConstraint('msc_cells_million IS NULL OR (msc_cells_million >= 0 AND msc_cells_million <= 10000)', name=op.f('ck_treatment_msc_cells')),
    sa.ForeignKeyConstraint(['ulcer_id'], ['ulcer.id'], name=op.f('fk_treatment_ulcer_id_ulcer'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_treatment_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment'))
    )
    with op.batch_alter_table('treatment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_treatment_ulcer_id'), ['ulcer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_treatment_visit_id'), ['visit_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('treatment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_treatment_visit_id'))
        batch_op.drop_index(batch_op.f('ix_treatment_ulcer_id'))

    op.drop_table('treatment')
    op.drop_table('perfusion_imaging')
    with op.batch_alter_table('lab_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_result_visit_id'))

    op.drop_table('lab_result')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_visit_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_ulcer_id'))

    op.drop_table('assessment')
    with op.batch_alter_table('adverse_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adverse_event_patient_id'))

    op.drop_table('adverse_event')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index('uq_visit_patient_date', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index('ix_visit_patient_date')
        batch_op.drop_index('ix_visit_date')

    op.drop_table('visit')
    with op.batch_alter_table('ulcer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ulcer_patient_id'))

    op.drop_table('ulcer')
    op.drop_table('setting')
    op.drop_table('reference_range')
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_index('ix_patient_name_search')

    op.drop_table('patient')

